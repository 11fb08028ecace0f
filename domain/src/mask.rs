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
}
