//! Account rules: usernames and the password policy (OWASP ASVS 5.0 V6.2 by default, with a
//! stricter MLPS-style policy that a deployment can switch on for staff roles).

use serde::{Deserialize, Serialize};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
/// ASVS V6.2.9 asks that at least 64 characters be allowed; more than this is an abuse of the hash.
pub const PASSWORD_MAX: usize = 128;
pub const DISPLAY_NAME_MAX: usize = 40;

static COMMON: &str = include_str!("common_passwords.txt");

/// A login name: 3–32 of `a-z 0-9 _ . -`, compared case-insensitively (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("username must be {USERNAME_MIN} to {USERNAME_MAX} characters")]
    UsernameLength,
    #[error("username may contain only letters a-z, digits, '_', '.' and '-'")]
    UsernameChars,
    #[error("password must be at least {0} characters")]
    PasswordTooShort(usize),
    #[error("password must be at most {PASSWORD_MAX} characters")]
    PasswordTooLong,
    #[error("password is too common")]
    PasswordCommon,
    #[error("password must not contain the username")]
    PasswordContainsUsername,
    #[error("password must mix at least three of: lower-case, upper-case, digits, symbols")]
    PasswordClasses,
    #[error("display name must be 1 to {DISPLAY_NAME_MAX} characters")]
    DisplayName,
    #[error("display name holds invisible or direction-changing characters")]
    DisplayNameInvisible,
    #[error("display name reads like a staff account")]
    DisplayNameStaff,
    #[error("not a mobile phone number")]
    Phone,
}

impl Username {
    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim().to_ascii_lowercase();
        let n = s.chars().count();
        if !(USERNAME_MIN..=USERNAME_MAX).contains(&n) {
            return Err(AccountError::UsernameLength);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
        {
            return Err(AccountError::UsernameChars);
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name shown in the UI (Chinese names welcome). Control characters are refused;
/// markup is allowed as text because the UI never renders it as HTML.
pub fn parse_display_name(s: &str) -> Result<String, AccountError> {
    use unicode_normalization::UnicodeNormalization;
    // NFKC folds look-alike forms (full-width letters, compatibility ideographs, the ideographic
    // space) into one spelling, so that what is stored is what is compared.
    let s: String = s.nfkc().collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = s.chars().count();
    if n == 0 || n > DISPLAY_NAME_MAX || s.chars().any(char::is_control) {
        return Err(AccountError::DisplayName);
    }
    if s.chars().any(invisible) {
        return Err(AccountError::DisplayNameInvisible);
    }
    Ok(s)
}

/// Characters that show nothing or reorder what is shown: zero-width characters, bidi controls
/// (a right-to-left override turns "evil管理员" around), fillers, variation selectors, tags and
/// private-use characters. A name with one can pass for another.
fn invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// Words that name a staff role or the system: a resident's display name containing one could
/// pass for an official on event pages and attendee lists.
pub const STAFF_WORDS: [&str; 12] = [
    "管理员",
    "系统",
    "官方",
    "客服",
    "网格员",
    "书记",
    "组织委员",
    "党工委",
    "居委会",
    "街道办",
    "admin",
    "system",
];

/// The form of a name used to compare names: NFKC, lower case, letters and digits only.
pub fn name_skeleton(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A resident's display name (self-registration, account page): a valid display name that
/// neither contains a staff word nor reads like one of `staff_names` (the display names and
/// usernames of staff accounts).
pub fn parse_resident_display_name<'a>(
    s: &str,
    staff_names: impl IntoIterator<Item = &'a str>,
) -> Result<String, AccountError> {
    let name = parse_display_name(s)?;
    let skeleton = name_skeleton(&name);
    let staff_word = STAFF_WORDS.iter().any(|w| skeleton.contains(w));
    let like_staff = staff_names
        .into_iter()
        .map(name_skeleton)
        .any(|staff| !staff.is_empty() && staff == skeleton);
    if staff_word || like_staff {
        return Err(AccountError::DisplayNameStaff);
    }
    Ok(name)
}

/// A mainland mobile number (`1[3-9]` + 9 digits), spaces and dashes ignored; empty means none.
pub fn parse_phone(s: &str) -> Result<String, AccountError> {
    let digits: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() {
        return Ok(digits);
    }
    let b = digits.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(digits)
    } else {
        Err(AccountError::Phone)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordPolicy {
    /// ASVS: length ≥ 8, no composition rules, not a common password.
    Standard,
    /// MLPS 2.0 (等级保护) style for staff: length ≥ 12 and three character classes.
    Strict,
}

/// A password that satisfied the policy it was checked against. Never trimmed or case-folded.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(s: &str, username: &str, policy: PasswordPolicy) -> Result<Self, AccountError> {
        let min = match policy {
            PasswordPolicy::Standard => 8,
            PasswordPolicy::Strict => 12,
        };
        let n = s.chars().count();
        if n < min {
            return Err(AccountError::PasswordTooShort(min));
        }
        if n > PASSWORD_MAX {
            return Err(AccountError::PasswordTooLong);
        }
        let lower = s.to_lowercase();
        if COMMON.lines().any(|c| c == lower) {
            return Err(AccountError::PasswordCommon);
        }
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err(AccountError::PasswordContainsUsername);
        }
        if policy == PasswordPolicy::Strict {
            let classes = [
                s.chars().any(|c| c.is_lowercase()),
                s.chars().any(|c| c.is_uppercase()),
                s.chars().any(|c| c.is_ascii_digit()),
                s.chars().any(|c| !c.is_alphanumeric()),
            ];
            if classes.iter().filter(|&&b| b).count() < 3 {
                return Err(AccountError::PasswordClasses);
            }
        }
        Ok(Password(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Zhang.Wei ").unwrap().as_str(),
            "zhang.wei"
        );
        assert_eq!(Username::parse("ab"), Err(AccountError::UsernameLength));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(AccountError::UsernameLength)
        );
        assert_eq!(Username::parse("张伟伟"), Err(AccountError::UsernameChars));
        assert_eq!(Username::parse("a b c"), Err(AccountError::UsernameChars));
        assert_eq!(
            Username::parse("<b>x</b>"),
            Err(AccountError::UsernameChars)
        );
    }

    #[test]
    fn standard_policy_follows_asvs() {
        use PasswordPolicy::Standard as S;
        assert!(Password::parse("correct horse", "wang", S).is_ok());
        assert_eq!(
            Password::parse("short", "wang", S),
            Err(AccountError::PasswordTooShort(8))
        );
        assert_eq!(
            Password::parse("password123", "wang", S),
            Err(AccountError::PasswordCommon)
        );
        assert_eq!(
            Password::parse("PassWord123", "wang", S),
            Err(AccountError::PasswordCommon)
        );
        assert_eq!(
            Password::parse("wang-is-great", "wang", S),
            Err(AccountError::PasswordContainsUsername)
        );
        assert!(
            Password::parse(&"x".repeat(64), "wang", S).is_ok(),
            "64 characters must be allowed"
        );
        assert_eq!(
            Password::parse(&"x".repeat(129), "wang", S),
            Err(AccountError::PasswordTooLong)
        );
        // no composition rules and no trimming: spaces count
        assert_eq!(
            Password::parse("   abcdefg   ", "wang", S)
                .unwrap()
                .expose(),
            "   abcdefg   "
        );
        assert!(Password::parse("邻里守望相助共建家园", "wang", S).is_ok());
    }

    #[test]
    fn strict_policy_adds_length_and_classes() {
        use PasswordPolicy::Strict as T;
        assert_eq!(
            Password::parse("abcdefghij", "wang", T),
            Err(AccountError::PasswordTooShort(12))
        );
        assert_eq!(
            Password::parse("abcdefghijklmn", "wang", T),
            Err(AccountError::PasswordClasses)
        );
        assert!(Password::parse("Abcdefghij12", "wang", T).is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("correct horse", "", PasswordPolicy::Standard).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn phones() {
        assert_eq!(parse_phone("138 1234-5678").unwrap(), "13812345678");
        assert_eq!(parse_phone("").unwrap(), "");
        assert_eq!(parse_phone("12812345678"), Err(AccountError::Phone));
        assert_eq!(parse_phone("1381234567"), Err(AccountError::Phone));
        assert_eq!(parse_phone("=cmd|' /C calc'!A0"), Err(AccountError::Phone));
    }

    #[test]
    fn display_names() {
        assert_eq!(parse_display_name(" 张伟 ").unwrap(), "张伟");
        assert!(parse_display_name("").is_err());
        assert!(parse_display_name("a\u{0}b").is_err());
        assert!(parse_display_name(&"名".repeat(41)).is_err());
        // Look-alike forms are folded: full-width letters, the ideographic space.
        assert_eq!(parse_display_name("Ｌｉ　Ｍｉｎｇ").unwrap(), "Li Ming");
    }

    #[test]
    fn names_that_impersonate_are_refused() {
        // The probe's two names: a zero-width space, a right-to-left override.
        assert_eq!(
            parse_display_name("系统\u{200b}管理员"),
            Err(AccountError::DisplayNameInvisible)
        );
        assert_eq!(
            parse_display_name("\u{202e}evil\u{202c}管理员"),
            Err(AccountError::DisplayNameInvisible)
        );
        for c in [
            '\u{2066}',
            '\u{feff}',
            '\u{3164}',
            '\u{fe0f}',
            '\u{e0041}',
            '\u{00ad}',
        ] {
            assert!(
                parse_display_name(&format!("张{c}伟")).is_err(),
                "{:x}",
                c as u32
            );
        }
        let staff = ["王书记", "admin", "shuji"];
        let resident = |s| parse_resident_display_name(s, staff);
        assert_eq!(resident("张伟").unwrap(), "张伟");
        for name in [
            "系统管理员",
            "社区书记",
            "Ａｄｍｉｎ",
            "网格员小李",
            "王 书记",
            "Shuji",
        ] {
            assert_eq!(
                resident(name),
                Err(AccountError::DisplayNameStaff),
                "{name}"
            );
        }
    }
}
