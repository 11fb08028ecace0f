//! Masking of personal information for display (GB/T 35273-2020 §7.2): done on the server,
//! before data leaves it; the full value is only revealed by a separate, audited action.

/// `13812345678` → `138****5678`. Anything that is not an 11-digit mobile number is masked whole.
pub fn phone(s: &str) -> String {
    let digits: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() == 11 && digits.iter().all(char::is_ascii_digit) {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[7..].iter().collect();
        format!("{head}****{tail}")
    } else if s.is_empty() {
        String::new()
    } else {
        "****".to_owned()
    }
}

/// `张伟` → `张*`, `李小明` → `李*明`, `欧阳小明` → `欧**明`.
pub fn name(s: &str) -> String {
    let c: Vec<char> = s.trim().chars().collect();
    match c.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", c[0]),
        n => format!("{}{}{}", c[0], "*".repeat(n - 2), c[n - 1]),
    }
}

/// Free text for the public: every run of seven or more digits (a phone number, with or without
/// an area code; an identity or bank card number, its final `X` too) becomes `*` but its first
/// three and last two digits. Shorter numbers (a building, a date, a count) stay.
pub fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (chars[i] == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], 'X' | 'x') && i - start >= 17 {
            i += 1;
        }
        let run = &chars[start..i];
        let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
        if digits >= 7 {
            let keep_tail = run.len().saturating_sub(2);
            for (k, c) in run.iter().enumerate() {
                out.push(if k < 3 || k >= keep_tail || *c == '-' {
                    *c
                } else {
                    '*'
                });
            }
        } else {
            out.extend(run);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones() {
        assert_eq!(super::phone("13812345678"), "138****5678");
        assert_eq!(super::phone("138-1234-5678"), "138****5678");
        assert_eq!(super::phone("025-8888"), "****");
        assert_eq!(super::phone(""), "");
    }

    #[test]
    fn names() {
        assert_eq!(super::name("张伟"), "张*");
        assert_eq!(super::name("李小明"), "李*明");
        assert_eq!(super::name("欧阳小明"), "欧**明");
        assert_eq!(super::name("王"), "*");
    }
    #[test]
    fn numbers_in_free_text() {
        assert_eq!(
            super::text("3号楼漏水，联系13812345678，2026年12月"),
            "3号楼漏水，联系138******78，2026年12月"
        );
        assert_eq!(super::text("座机025-84561234"), "座机025-******34");
        assert_eq!(
            super::text("身份证32011319800101123X"),
            "身份证320*************3X"
        );
        assert_eq!(super::text("12栋2单元 共3户"), "12栋2单元 共3户");
    }
}
