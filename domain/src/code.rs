//! Hierarchical codes shared by grids and party units, in the spirit of CJ/T 349-2010 and GB/T 2260:
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

impl Code {
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
}
