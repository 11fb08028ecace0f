//! Simplification for drawing.

use super::*;
use geo::{Coord, LineString};

/// `geo::Simplify`); the first and last points stay. Works in whatever planar units it is given
/// (the map simplifies in screen-proportional units, for drawing only).
pub fn simplified(points: &[Point], epsilon: f64) -> Vec<Point> {
    use geo::Simplify;
    if epsilon <= 0.0 || points.len() < 4 {
        return points.to_vec();
    }
    let line: LineString = points.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
    line.simplify(epsilon)
        .0
        .into_iter()
        .map(|c| [c.x, c.y])
        .collect()
}

/// A compact, lossless form of a ring for the wire: the Encoded Polyline format (`polyline` crate)
/// at [`COORD_DECIMALS`] when every vertex lies on the stored step (5–8 bytes a vertex instead of
/// about 38 as JSON numbers), otherwise the plain `[[lon, lat], …]` array. Reading accepts both.

#[cfg(test)]
mod tests {
    use crate::geometry::*;

    #[test]
    fn simplifying_drops_only_what_lies_within_the_tolerance() {
        // A square densified with exact midpoints, plus one point bulging out by 0.5.
        let ring = vec![
            [0.0, 0.0],
            [5.0, 0.0],
            [10.0, 0.0],
            [10.0, 5.0],
            [10.5, 7.0],
            [10.0, 10.0],
            [5.0, 10.0],
            [0.0, 10.0],
            [0.0, 5.0],
            [0.0, 0.0],
        ];
        assert_eq!(
            simplified(&ring, 0.1),
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 5.0],
                [10.5, 7.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(
            simplified(&ring, 1.0),
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(simplified(&ring, 0.0), ring);
    }
}
