//! Use as `#[serde(with = "domain::geometry::compact_ring")]`.

use super::{quantise, Point, Ring, COORD_DECIMALS};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serialize, Serializer};

/// The encoded form, when it represents `ring` exactly.
pub fn encode(ring: &[Point]) -> Option<String> {
    let exact = ring.iter().all(|&p| {
        quantise(p) == p && (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1])
    });
    if !exact {
        return None;
    }
    let coords = ring.iter().map(|p| geo::Coord { x: p[0], y: p[1] });
    polyline::encode_coordinates(coords, COORD_DECIMALS).ok()
}

pub fn decode(s: &str) -> Option<Ring> {
    let line = polyline::decode_polyline(s, COORD_DECIMALS).ok()?;
    Some(line.0.into_iter().map(|c| [c.x, c.y]).collect())
}

pub fn serialize<S: Serializer>(ring: &Ring, s: S) -> Result<S::Ok, S::Error> {
    match encode(ring) {
        Some(e) => s.serialize_str(&e),
        None => ring.serialize(s),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ring, D::Error> {
    struct RingVisitor;
    impl<'de> Visitor<'de> for RingVisitor {
        type Value = Ring;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an encoded polyline or a list of [lon, lat] pairs")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Ring, E> {
            decode(v).ok_or_else(|| E::custom("invalid encoded ring"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ring, A::Error> {
            let mut out =
                Vec::with_capacity(seq.size_hint().unwrap_or(0).min(super::MAX_VERTICES + 1));
            while let Some(p) = seq.next_element::<Point>()? {
                out.push(p);
            }
            Ok(out)
        }
    }
    d.deserialize_any(RingVisitor)
}

#[cfg(test)]
mod tests {
    use crate::geometry::testing::*;
    use crate::geometry::*;
    use serde::{Deserialize, Serialize};
    #[test]
    fn stored_rings_travel_compactly_and_exactly() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct G {
            #[serde(with = "compact_ring")]
            ring: Ring,
        }
        // Normalised rings lie on the 1e-7° step and travel as an encoded polyline, exactly.
        let raw = vec![
            [118.781_234_567_891, 32.041_111_111_111],
            [118.791_234_567_891, 32.041_111_111_111],
            [118.791_234_567_891, 32.051_999_999_999],
            [118.781_234_567_891, 32.041_111_111_111],
        ];
        let g = G {
            ring: normalise(&raw),
        };
        assert_eq!(g.ring[0], [118.781_234_6, 32.041_111_1]);
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.starts_with("{\"ring\":\""), "{json}");
        assert!(json.len() < 60, "{json}");
        assert_eq!(serde_json::from_str::<G>(&json).unwrap(), g);
        // Vertices off the step (older data) travel as numbers, also exactly.
        let off = G { ring: raw.clone() };
        let json = serde_json::to_string(&off).unwrap();
        assert!(json.starts_with("{\"ring\":[["), "{json}");
        assert_eq!(serde_json::from_str::<G>(&json).unwrap(), off);
        // Garbage is refused, not misread.
        assert!(serde_json::from_str::<G>("{\"ring\":\"  \"}").is_err());
        assert!(serde_json::from_str::<G>("{\"ring\":7}").is_err());
        // A jittered tiling keeps its shared vertices shared through rounding: still no problems.
        let (mut shapes, _) = tiling(&mut Lcg(7), 4, 4);
        for s in &mut shapes {
            *s.ring_mut() = normalise(&s.ring());
        }
        assert_eq!(Index::new(&shapes).check_all().problems, vec![]);
    }
}
