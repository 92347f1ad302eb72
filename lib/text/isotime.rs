//! Unix seconds as the UTC time Python prints for
//! `datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")` with
//! `+00:00` written `Z`: `2026-11-29T08:49:26Z`.
//!
//! CPython turns a float into seconds and microseconds by splitting off the
//! fraction, scaling it to microseconds in a double and rounding that half to even
//! (carrying into the seconds); `timespec="seconds"` then drops the microseconds.
//! So `0.9999996` is `00:00:01` but `0.9999994` is `00:00:00`.

/// The whole seconds Python's `datetime.fromtimestamp` sees in `ts`: None for NaN,
/// infinities, and times outside the years 1 to 9999 (where Python raises).
pub(crate) fn py_seconds(ts: f64) -> Option<i64> {
    if !ts.is_finite() {
        return None;
    }
    let int = ts.trunc();
    let mut secs = int;
    // modf's fraction is exact; the product is rounded as C rounds it.
    // CPython's _PyTime_RoundHalfEven: to nearest, ties to even.
    let us = ((ts - int) * 1e6).round_ties_even();
    if us >= 1e6 {
        secs += 1.0;
    } else if us < 0.0 {
        secs -= 1.0;
    }
    // 0001-01-01T00:00:00 and 9999-12-31T23:59:59.
    if !(-62_135_596_800.0..=253_402_300_799.0).contains(&secs) {
        return None;
    }
    Some(secs as i64)
}

/// The whole seconds of a `ts` read from its JSON text, when the text alone tells
/// them: no sign, no exponent, under 10^10 seconds (the double then lies within
/// 1e-6 s of the text) and a fraction below .99999 (so CPython's rounding to
/// microseconds cannot carry into the next second); the integer part then. None
/// when the text does not tell: parse it and use [`py_seconds`].
pub(crate) fn seconds_of_text(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let mut secs: i64 = 0;
    let mut j = 0;
    while let Some(&c) = b.get(j) {
        if !c.is_ascii_digit() {
            break;
        }
        secs = secs * 10 + i64::from(c - b'0');
        j += 1;
    }
    if j == 0 || j > 10 {
        return None;
    }
    match b.get(j) {
        None => return Some(secs),
        Some(b'.') => {}
        Some(_) => return None,
    }
    let frac = &b[j + 1..];
    if (frac.len() >= 5 && frac[..5] == *b"99999") || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(secs)
}

/// Writes times, the date part computed once per day (rows of a stream mostly share
/// it).
#[derive(Debug, Default)]
pub(crate) struct IsoWriter {
    day: Option<i64>,
    date: Vec<u8>,
}

impl IsoWriter {
    /// Append `secs` (Unix seconds, years 1 to 9999) as `YYYY-MM-DDTHH:MM:SSZ`.
    pub(crate) fn push(&mut self, out: &mut Vec<u8>, secs: i64) {
        let day = secs.div_euclid(86_400);
        if self.day != Some(day) {
            self.date.clear();
            push_date(&mut self.date, day);
            self.day = Some(day);
        }
        out.extend_from_slice(&self.date);
        push_time(out, secs.rem_euclid(86_400));
    }
}

/// Append `secs` (Unix seconds, years 1 to 9999) as `YYYY-MM-DDTHH:MM:SSZ`.
fn push_iso(out: &mut Vec<u8>, secs: i64) {
    push_date(out, secs.div_euclid(86_400));
    push_time(out, secs.rem_euclid(86_400));
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time (years 1 to 9999; herd-watch stamps its
/// events with it).
pub(crate) fn utc(secs: i64) -> String {
    let mut out = Vec::with_capacity(20);
    push_iso(&mut out, secs);
    String::from_utf8(out).unwrap_or_default()
}

/// `YYYY-MM-DDT` of a day counted from 1970-01-01.
fn push_date(out: &mut Vec<u8>, days: i64) {
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let two = |out: &mut Vec<u8>, n: i64| {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8])
    };
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
}

/// `HH:MM:SSZ` of a second of the day.
fn push_time(out: &mut Vec<u8>, sod: i64) {
    let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
    let d = |n: i64| b'0' + n as u8;
    out.extend_from_slice(&[
        d(h / 10),
        d(h % 10),
        b':',
        d(m / 10),
        d(m % 10),
        b':',
        d(s / 10),
        d(s % 10),
        b'Z',
    ]);
}

/// The text Python prints for a `ts`: empty for one it cannot convert.
#[cfg(test)]
pub(crate) fn iso_utc(ts: f64) -> String {
    let mut out = Vec::with_capacity(20);
    if let Some(s) = py_seconds(ts) {
        push_iso(&mut out, s);
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_942_166.68), "2026-11-29T08:49:26Z");
        assert_eq!(iso_utc(951_782_400.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(-1.0), "1969-12-31T23:59:59Z");
        assert_eq!(iso_utc(-62_135_596_800.0), "0001-01-01T00:00:00Z");
        assert_eq!(iso_utc(253_402_300_799.0), "9999-12-31T23:59:59Z");
        assert_eq!(iso_utc(253_402_300_800.0), "");
        assert_eq!(iso_utc(f64::NAN), "");
        assert_eq!(iso_utc(f64::INFINITY), "");
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_601_599), "2026-12-06T23:59:59Z");
    }

    #[test]
    fn seconds_from_the_text_are_those_of_the_float() {
        let mut texts: Vec<String> = [
            "1796600000.9999996",
            "1796600000.99999",
            "1796600000.9999899",
            "0",
            "0.5",
            "9999999999.99998",
            "1.5",
            "12345678901.5",
            "-1.5",
            "1e9",
            "1796600000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed: u64 = 7;
        for _ in 0..50_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let x = (seed >> 11) as f64 / (1u64 << 53) as f64 * 1e10;
            texts.push(format!("{x:?}"));
            texts.push(format!("{:.7}", x.trunc() + 0.99999));
        }
        for t in texts {
            if let Some(s) = seconds_of_text(&t) {
                assert_eq!(Some(s), py_seconds(t.parse().unwrap()), "{t}");
            }
        }
        assert_eq!(seconds_of_text("1796600000.9999996"), None);
        assert_eq!(seconds_of_text("1796600000.25"), Some(1_796_600_000));
    }

    /// Seen from the reference (hyperherd 0.1.3, `herd res --steps`) for these `ts`.
    #[test]
    fn rounding_as_the_reference_prints_it() {
        for (ts, want) in [
            (1_796_600_000.000_000_5, "2026-12-06T23:33:20Z"),
            (1_796_600_000.000_001_5, "2026-12-06T23:33:20Z"),
            (1_796_600_000.999_999_5, "2026-12-06T23:33:21Z"),
            (1_796_600_000.999_999_6, "2026-12-06T23:33:21Z"),
            (1_796_600_000.999_999_4, "2026-12-06T23:33:20Z"),
            (0.5, "1970-01-01T00:00:00Z"),
            (-0.499_999_5, "1969-12-31T23:59:59Z"),
            (-1.000_000_5, "1969-12-31T23:59:58Z"),
            (1e9, "2001-09-09T01:46:40Z"),
            (253_402_300_799.4, "9999-12-31T23:59:59Z"),
            (1.999_999_5, "1970-01-01T00:00:01Z"),
            (2.499_999_5, "1970-01-01T00:00:02Z"),
            (1_796_600_002.500_000_5, "2026-12-06T23:33:22Z"),
            (1_796_600_001.25, "2026-12-06T23:33:21Z"),
        ] {
            assert_eq!(iso_utc(ts), want, "{ts}");
        }
        // The writer that keeps the date gives the same text.
        let mut w = IsoWriter::default();
        let mut out = Vec::new();
        for secs in [0, 86_399, 86_400, -1, 1_796_600_000, 1_796_600_001] {
            out.clear();
            w.push(&mut out, secs);
            let mut want = Vec::new();
            push_iso(&mut want, secs);
            assert_eq!(out, want);
        }
    }
}
