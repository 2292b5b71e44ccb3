//! Go-style durations, as Terraform users write timeouts: `45s`, `20m`, `1h30m`, `500ms`.

use std::time::Duration;

/// The longest duration accepted: far beyond any sensible timeout, and far from overflow.
const LONGEST: Duration = Duration::from_secs(366 * 24 * 3600);

/// Parses a positive Go-style duration of at most a year.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a duration such as \"30s\", \"20m\" or \"1h30m\".");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().map_err(|_| invalid())?;
        let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let seconds = match unit {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => return Err(invalid()),
        };
        // Checked: a huge number of hours must be an error, not an overflow.
        let part = Duration::try_from_secs_f64(seconds).ok().filter(|d| *d <= LONGEST);
        total = part.and_then(|d| total.checked_add(d)).filter(|d| *d <= LONGEST).ok_or_else(|| {
            format!("{text:?} is longer than a year; write a duration such as \"30s\", \"20m\" or \"1h30m\".")
        })?;
        rest = tail;
    }
    if total.is_zero() {
        return Err(format!("{text:?} is zero; a duration must be positive, such as \"30s\"."));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        for bad in ["20", "abc", "", "5d", "0s", "0h0m", "1..5s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn huge_durations_are_errors_not_panics() {
        let huge = parse_duration("99999999999999999999999h").unwrap_err();
        assert!(huge.contains("longer than a year"), "{huge}");
        assert!(parse_duration("9000h").is_err());
        assert!(parse_duration(&"9".repeat(400)).is_err());
        assert!(parse_duration("8000h8000h").is_err());
    }
}
