//! Numbers written for people: `60,752` rather than `60752`. Pages and the sentences the
//! query layer writes ("largest change: +4,363 −12 in 3 files") group digits the same way.

/// `n` with a comma between each group of three digits.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (60_752, "60,752"),
            (4_363_065, "4,363,065"),
            (-12_345, "-12,345"),
        ] {
            assert_eq!(grouped(n), text);
        }
    }
}
