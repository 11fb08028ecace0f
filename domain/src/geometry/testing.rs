//! Shapes the geometry tests share.

use super::*;

/// A square of `s` hundredths of a degree with its lower-left corner at (x, y), walking
/// `n` extra points along each side so neighbours share vertices.
pub fn square(x: f64, y: f64, s: f64) -> Ring {
    let (x0, y0, x1, y1) = (
        118.0 + x * 0.01,
        32.0 + y * 0.01,
        118.0 + (x + s) * 0.01,
        32.0 + (y + s) * 0.01,
    );
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

pub fn shape(code: &str, parent: Option<&str>, ring: Ring) -> Shape {
    Shape {
        code: code.into(),
        parent: parent.map(Into::into),
        dedicated: false,
        boundary: Boundary::from(ring),
    }
}

impl Shape {
    /// The outer ring of the first part (all the tests' shapes but the holed ones have only that).
    pub fn ring(&self) -> &Ring {
        &self.boundary.0[0][0]
    }
    pub fn ring_mut(&mut self) -> &mut Ring {
        &mut self.boundary.0[0][0]
    }
}

/// A parent 2×1 split into two children that share the middle edge; the parent's boundary
/// carries the children's corner vertices.
pub fn two_halves() -> Vec<Shape> {
    let p = |x: f64, y: f64| [118.0 + x * 0.01, 32.0 + y * 0.01];
    vec![
        shape(
            "1",
            None,
            vec![
                p(0., 0.),
                p(1., 0.),
                p(2., 0.),
                p(2., 1.),
                p(1., 1.),
                p(0., 1.),
                p(0., 0.),
            ],
        ),
        shape(
            "101",
            Some("1"),
            vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)],
        ),
        shape(
            "102",
            Some("1"),
            vec![p(1., 0.), p(2., 0.), p(2., 1.), p(1., 1.), p(1., 0.)],
        ),
    ]
}

/// A small deterministic generator for the randomised tests below.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64) as usize % n
    }
}

/// A parent rectangle tiled by `nx × ny` jittered quadrilaterals sharing their corners; the
/// parent's ring walks every lattice point on its border.
pub fn tiling(rng: &mut Lcg, nx: usize, ny: usize) -> (Vec<Shape>, Vec<Point>) {
    let d = 0.002;
    let mut pts = vec![[0.0, 0.0]; (nx + 1) * (ny + 1)];
    for j in 0..=ny {
        for i in 0..=nx {
            let inner = i > 0 && i < nx && j > 0 && j < ny;
            let (jx, jy) = if inner {
                (rng.next() - 0.5, rng.next() - 0.5)
            } else {
                (0.0, 0.0)
            };
            let x = 118.8 + (i as f64 + 0.3 * jx) * d;
            let y = 32.1 + (j as f64 + 0.3 * jy) * d;
            pts[j * (nx + 1) + i] = [(x * 1e7).round() / 1e7, (y * 1e7).round() / 1e7];
        }
    }
    let at = |i: usize, j: usize| pts[j * (nx + 1) + i];
    let mut border = Vec::new();
    border.extend((0..nx).map(|i| at(i, 0)));
    border.extend((0..ny).map(|j| at(nx, j)));
    border.extend((1..=nx).rev().map(|i| at(i, ny)));
    border.extend((1..=ny).rev().map(|j| at(0, j)));
    border.push(at(0, 0));
    let mut shapes = vec![shape("9", None, border)];
    for j in 0..ny {
        for i in 0..nx {
            let r = vec![
                at(i, j),
                at(i + 1, j),
                at(i + 1, j + 1),
                at(i, j + 1),
                at(i, j),
            ];
            shapes.push(shape(&format!("9{:02}{:02}", j, i), Some("9"), r));
        }
    }
    let inner: Vec<Point> = (1..ny)
        .flat_map(|j| (1..nx).map(move |i| (i, j)))
        .map(|(i, j)| at(i, j))
        .collect();
    (shapes, inner)
}
