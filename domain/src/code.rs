//! Hierarchical codes shared by grids and organisation units, in the spirit of CJ/T 349-2010 and GB/T 2260:
//! a child's code is its parent's code followed by a fixed-width sequence number, so "is inside this
//! scope" is a prefix test and codes sort in tree order.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest code accepted: 6-digit division + street + community + grid sequence leaves room to spare.
pub const MAX_CODE_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("code is empty")]
    Empty,
    #[error("code is longer than {MAX_CODE_LEN} characters")]
    TooLong,
    #[error("code may contain digits only")]
    NotDigits,
}

/// Why a district code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistrictCodeError {
    #[error("a district code is six digits (GB/T 2260)")]
    Shape,
    #[error("no province has the code {0}")]
    Province(String),
    #[error("{0}0000 is a province, not a district")]
    ProvinceItself(String),
}

impl DistrictCodeError {
    pub fn key(&self) -> &'static str {
        "err.district_code"
    }
}

/// The first two digits of GB/T 2260 codes in use (provinces, autonomous regions,
/// municipalities, Taiwan, Hong Kong and Macao).
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

impl Code {
    /// A district's (county-level) administrative division code, GB/T 2260: six digits under a
    /// real province, not the province itself ("320113" 南京市栖霞区). New top-level grids are
    /// numbered beneath it.
    pub fn district(s: &str) -> Result<Code, DistrictCodeError> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DistrictCodeError::Shape);
        }
        let province = &s[..2];
        if !PROVINCES.contains(&province.parse::<u8>().unwrap_or(0)) {
            return Err(DistrictCodeError::Province(province.into()));
        }
        if &s[2..] == "0000" {
            return Err(DistrictCodeError::ProvinceItself(province.into()));
        }
        Ok(Code(s.to_owned()))
    }

    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(CodeError::Empty);
        }
        if s.len() > MAX_CODE_LEN {
            return Err(CodeError::TooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::NotDigits);
        }
        Ok(Code(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is `ancestor` or lies beneath it.
    pub fn is_within(&self, ancestor: &Code) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// True when `self` is inside `other` or above it: a unit "concerns" a community when it is
    /// one of the community's own units or one of the units the community belongs to (the
    /// street's service days reach every community).
    pub fn is_related(&self, other: &Code) -> bool {
        self.is_within(other) || other.is_within(self)
    }

    /// The code of the `seq`-th child (1-based), with the sequence zero-padded to `width` digits.
    pub fn child(&self, seq: u32, width: usize) -> Code {
        Code(format!("{}{:0width$}", self.0, seq, width = width))
    }

    /// The one rule for the code of a new child (a grid drawn or imported, a unit added or moved):
    /// one more than the highest sequence among `siblings`, zero-padded to `width` digits — the
    /// level's width when the caller knows it (longer codes, of deeper descendants, are then
    /// ignored), else as wide as the siblings' sequences (2 digits when there are none) — and
    /// wider only when the sequence needs it.
    pub fn next_child<'a>(
        &self,
        siblings: impl IntoIterator<Item = &'a str>,
        width: Option<usize>,
    ) -> Code {
        let p = self.as_str();
        let seqs: Vec<&str> = siblings
            .into_iter()
            .filter_map(|s| s.strip_prefix(p))
            .filter(|seq| !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()))
            .filter(|seq| width.is_none_or(|w| seq.len() <= w.max(1)))
            .collect();
        let width = width
            .map(|w| w.max(1))
            .or_else(|| seqs.iter().map(|s| s.len()).max())
            .unwrap_or(2);
        let max = seqs
            .iter()
            .filter_map(|s| s.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let next = max + 1;
        let width = width.max(next.to_string().len());
        Code(format!("{p}{next:0width$}"))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Code {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Code::parse(&s)
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn district_codes_are_six_digits_under_a_real_province() {
        assert_eq!(Code::district(" 320113 ").unwrap().as_str(), "320113");
        assert_eq!(Code::district("110105").unwrap().as_str(), "110105");
        assert_eq!(
            Code::district("32011").unwrap_err(),
            DistrictCodeError::Shape
        );
        assert_eq!(
            Code::district("32O113").unwrap_err(),
            DistrictCodeError::Shape
        );
        assert_eq!(
            Code::district("3201130").unwrap_err(),
            DistrictCodeError::Shape
        );
        assert_eq!(
            Code::district("990101").unwrap_err(),
            DistrictCodeError::Province("99".into())
        );
        assert_eq!(
            Code::district("320000").unwrap_err(),
            DistrictCodeError::ProvinceItself("32".into())
        );
    }

    use super::*;

    #[test]
    fn parses_digits_only() {
        assert_eq!(Code::parse(" 320113001 ").unwrap().as_str(), "320113001");
        assert_eq!(Code::parse(""), Err(CodeError::Empty));
        assert_eq!(Code::parse("32a"), Err(CodeError::NotDigits));
        assert_eq!(Code::parse("<script>"), Err(CodeError::NotDigits));
        assert_eq!(Code::parse(&"1".repeat(33)), Err(CodeError::TooLong));
    }

    #[test]
    fn children_lie_within_their_parent_only() {
        let street = Code::parse("320113001").unwrap();
        let c1 = street.child(1, 3);
        let g = c1.child(12, 2);
        assert_eq!(g.as_str(), "32011300100112");
        assert!(g.is_within(&street));
        assert!(g.is_within(&c1));
        assert!(g.is_within(&g));
        assert!(!street.is_within(&g));
        assert!(!street.child(2, 3).is_within(&c1));
        assert!(
            street.is_related(&g) && g.is_related(&street) && !c1.is_related(&street.child(2, 3))
        );
    }

    #[test]
    fn new_children_follow_their_siblings() {
        let p = Code::parse("320113001001").unwrap();
        let next = |sib: &[&'static str], w| p.next_child(sib.iter().copied(), w).to_string();
        assert_eq!(
            next(&["32011300100101", "32011300100107"], None),
            "32011300100108"
        );
        assert_eq!(next(&[], None), "32011300100101");
        assert_eq!(next(&["320113001001099"], None), "320113001001100");
        assert_eq!(
            next(&["32011300100199"], None),
            "320113001001100",
            "wider when needed"
        );
        // With the level's width, deeper descendants among the taken codes do not count.
        assert_eq!(
            next(&["32011300100103", "3201130010010399"], Some(2)),
            "32011300100104"
        );
        assert_eq!(next(&[], Some(3)), "320113001001001");
    }
}
