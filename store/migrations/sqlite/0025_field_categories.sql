-- The catalogue every deployment starts with (the administrator changes limits and adds more):
-- ordinary matters 24 hours to acknowledge and 7 working days to resolve, disputes 15 working
-- days, safety hazards 2 hours and 3 working days, water/power/gas/heating 2 hours and 24 hours.
INSERT INTO field_category (name, acknowledge, resolve, sort) VALUES
    ('环境卫生', '{"unit":"hours","n":24}', '{"unit":"working-days","n":7}', 1),
    ('市政设施', '{"unit":"hours","n":24}', '{"unit":"working-days","n":7}', 2),
    ('矛盾纠纷', '{"unit":"hours","n":24}', '{"unit":"working-days","n":15}', 3),
    ('治安隐患', '{"unit":"hours","n":2}', '{"unit":"working-days","n":3}', 4),
    ('便民服务', '{"unit":"hours","n":24}', '{"unit":"working-days","n":7}', 5),
    ('水电气暖', '{"unit":"hours","n":2}', '{"unit":"hours","n":24}', 6);
