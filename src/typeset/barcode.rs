//! EAN-13, the barcode of an ISBN-13 (ISO/IEC 15420): its 95 modules,
//! drawn as bars of one module's width each.

/// A module is a bar or a space, 0.33 mm wide at nominal size.
pub const MODULE: f32 = 0.33 * 72.0 / 25.4;
/// Light modules left of the first bar and right of the last (ISO/IEC 15420 §5.1.3).
pub const QUIET_LEFT: usize = 11;
pub const QUIET_RIGHT: usize = 7;

/// The left half's digits in odd parity (set A); set B is each read
/// backwards and inverted, the right half's (set C) each inverted.
const SET_A: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];

/// Which set each of the left half's six digits is drawn from, by the first
/// digit (which is not drawn, only read from this pattern).
const PARITY: [&str; 10] = [
    "AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA",
    "ABBABA",
];

/// The 13 digits of `code` (hyphens and spaces ignored), if they are 13
/// and the last is the check digit of the others.
pub fn digits(code: &str) -> Option<[u8; 13]> {
    let digits: Vec<u8> = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_digit(10).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let digits: [u8; 13] = digits.try_into().ok()?;
    (check_digit(&digits[..12]) == digits[12]).then_some(digits)
}

/// The check digit of twelve digits: weights 1 and 3 in turn, to a multiple of ten.
pub fn check_digit(first: &[u8]) -> u8 {
    let sum: u32 = (first.iter().enumerate())
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The 95 modules, `true` for a bar: start guard, six digits by the first
/// digit's parity pattern, centre guard, six digits, end guard.
pub fn modules(digits: &[u8; 13]) -> Vec<bool> {
    let mut out = String::from("101");
    let parity = PARITY[usize::from(digits[0])].as_bytes();
    for (i, &d) in digits[1..7].iter().enumerate() {
        let a = SET_A[usize::from(d)];
        if parity[i] == b'A' {
            out.push_str(a);
        } else {
            out.extend(a.chars().rev().map(invert));
        }
    }
    out.push_str("01010");
    for &d in &digits[7..] {
        out.extend(SET_A[usize::from(d)].chars().map(invert));
    }
    out.push_str("101");
    out.chars().map(|c| c == '1').collect()
}

fn invert(c: char) -> char {
    if c == '1' {
        '0'
    } else {
        '1'
    }
}

/// Whether module `index` belongs to a guard pattern (drawn longer).
pub fn is_guard(index: usize) -> bool {
    index < 3 || (45..50).contains(&index) || index >= 92
}

/// The bars: first module and width in modules, with whether each is a guard bar.
pub fn bars(modules: &[bool]) -> Vec<(usize, usize, bool)> {
    let mut bars = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if !modules[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < modules.len() && modules[i] {
            i += 1;
        }
        bars.push((start, i - start, is_guard(start)));
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(code: &str) -> String {
        let digits = digits(code).expect("a valid code");
        modules(&digits)
            .iter()
            .map(|&b| if b { '1' } else { '0' })
            .collect()
    }

    /// The module strings python-barcode 0.16.1 gives for the same codes
    /// (`barcode.EAN13(code[:12]).build()[0]`), an implementation of its own.
    #[test]
    fn modules_match_an_independent_encoder() {
        let known = [
            (
                "978-0-306-40615-7",
                "10101110110001001010011101111010100111010111101010101110011100101010000110011010011101000100101",
            ),
            (
                "4006381333931",
                "10100011010100111010111101111010001001011001101010100001010000101000010111010010000101100110101",
            ),
            (
                "978-957-08-5555-5",
                "10101110110001001001011101100010010001000110101010100100010011101001110100111010011101001110101",
            ),
            (
                "978-986-519-000-2",
                "10101110110001001001011101101110000101011000101010110011011101001110010111001011100101101100101",
            ),
        ];
        for (code, expected) in known {
            assert_eq!(pattern(code), expected, "{code}");
        }
    }

    #[test]
    fn the_check_digit_is_checked() {
        assert_eq!(check_digit(&[9, 7, 8, 0, 3, 0, 6, 4, 0, 6, 1, 5]), 7);
        assert!(digits("978-0-306-40615-7").is_some());
        assert!(digits("978-0-306-40615-8").is_none(), "wrong check digit");
        assert!(digits("978-0-306-4061-7").is_none(), "12 digits");
        assert!(digits("978-0-306-40615-X").is_none());
    }

    #[test]
    fn guards_frame_the_two_halves() {
        let modules = modules(&digits("9780306406157").unwrap());
        assert_eq!(modules.len(), 95);
        let guard = |range: std::ops::Range<usize>| -> String {
            range.map(|i| if modules[i] { '1' } else { '0' }).collect()
        };
        assert_eq!(guard(0..3), "101");
        assert_eq!(guard(45..50), "01010");
        assert_eq!(guard(92..95), "101");
        // Each digit is two bars and two spaces over seven modules: 30 bars.
        let bars = bars(&modules);
        assert_eq!(bars.len(), 2 + 2 + 2 + 12 * 2);
        assert_eq!(bars.iter().filter(|b| b.2).count(), 6);
        assert!(bars.iter().all(|&(_, width, _)| (1..=4).contains(&width)));
    }
}
