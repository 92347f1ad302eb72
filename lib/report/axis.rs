//! Axes of the charts: a value's position along an axis (linear, log10 or
//! categorical), tick positions and labels, and the short number text of SVG
//! coordinates.

use crate::text::table::cell;
use crate::text::value::Value;

/// How values map onto an axis, as a fraction 0..=1 of its length.
#[derive(Clone, Debug)]
pub(crate) enum Axis {
    /// Evenly spaced between `lo` and `hi`.
    Linear { lo: f64, hi: f64 },
    /// Evenly spaced in log10 between `lo` and `hi` (both > 0).
    Log { lo: f64, hi: f64 },
    /// One band per category, in order.
    Cat(Vec<String>),
}

impl Axis {
    /// A linear axis over the finite `values` (a unit range around a single value).
    pub(crate) fn linear(values: impl Iterator<Item = f64>) -> Axis {
        let (lo, hi) = range(values.filter(|v| v.is_finite()));
        let (lo, hi) = if lo < hi {
            (lo, hi)
        } else if lo.is_finite() {
            (lo - 0.5, lo + 0.5)
        } else {
            (0.0, 1.0)
        };
        Axis::Linear { lo, hi }
    }

    /// A linear axis for values that may hold far outliers (a diverged run): over
    /// all of them, unless their range is more than 10 times as wide as the window
    /// from the 10th percentile less the 10th-90th span to the 90th plus it; then
    /// over that window (within the values). True when narrowed (marks beyond it
    /// are drawn at its ends).
    pub(crate) fn robust(values: impl Iterator<Item = f64>) -> (Axis, bool) {
        let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
        if v.len() < 20 {
            return (Axis::linear(v.into_iter()), false);
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let (lo, hi) = (v[0], v[n - 1]);
        let (p10, p90) = (v[n / 10], v[n - 1 - n / 10]);
        let span = p90 - p10;
        let (wlo, whi) = ((p10 - span).max(lo), (p90 + span).min(hi));
        if whi > wlo && hi - lo > 10.0 * (whi - wlo) {
            (Axis::Linear { lo: wlo, hi: whi }, true)
        } else {
            (Axis::Linear { lo, hi }, false)
        }
    }

    /// A log10 axis over the positive finite `values`.
    pub(crate) fn log(values: impl Iterator<Item = f64>) -> Axis {
        let (lo, hi) = range(values.filter(|v| v.is_finite() && *v > 0.0));
        let (lo, hi) = if lo < hi {
            (lo, hi)
        } else if lo.is_finite() {
            (lo / 2.0, lo * 2.0)
        } else {
            (1.0, 10.0)
        };
        Axis::Log { lo, hi }
    }

    /// The same axis with 5% room at both ends (so no mark sits on the frame).
    pub(crate) fn padded(self) -> Axis {
        match self {
            Axis::Linear { lo, hi } => {
                let m = (hi - lo) * 0.05;
                Axis::Linear {
                    lo: lo - m,
                    hi: hi + m,
                }
            }
            Axis::Log { lo, hi } => {
                let m = (hi / lo).powf(0.05);
                Axis::Log {
                    lo: lo / m,
                    hi: hi * m,
                }
            }
            other => other,
        }
    }

    /// Where `v` lies, 0..=1 (None: not on this axis, e.g. ≤ 0 on a log axis).
    pub(crate) fn pos(&self, v: &Value) -> Option<f64> {
        match self {
            Axis::Cat(names) => {
                let text = cell(v);
                let k = names.iter().position(|n| *n == text)?;
                Some((k as f64 + 0.5) / names.len() as f64)
            }
            _ => self.at(v.as_number()?),
        }
    }

    /// Where the number `x` lies on a numeric axis, 0..=1.
    pub(crate) fn at(&self, x: f64) -> Option<f64> {
        if !x.is_finite() {
            return None;
        }
        match self {
            Axis::Linear { lo, hi } => Some((x - lo) / (hi - lo)),
            Axis::Log { lo, hi } if x > 0.0 => {
                Some((x.log10() - lo.log10()) / (hi.log10() - lo.log10()))
            }
            _ => None,
        }
    }

    /// The width of one band, as a fraction (categorical axes; 0 otherwise).
    pub(crate) fn band(&self) -> f64 {
        match self {
            Axis::Cat(names) => 1.0 / names.len().max(1) as f64,
            _ => 0.0,
        }
    }

    /// Ticks: (position 0..=1, label).
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        match self {
            Axis::Cat(names) => names
                .iter()
                .enumerate()
                .map(|(k, n)| ((k as f64 + 0.5) / names.len() as f64, n.clone()))
                .collect(),
            Axis::Linear { lo, hi } => nice(*lo, *hi, 5)
                .into_iter()
                .filter_map(|x| Some((self.at(x)?, num(x))))
                .collect(),
            Axis::Log { lo, hi } => {
                let (a, b) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
                let mut xs: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).collect();
                if xs.len() < 2 {
                    xs = vec![*lo, *hi];
                }
                xs.into_iter()
                    .filter_map(|x| Some((self.at(x)?, num(x))))
                    .collect()
            }
        }
    }
}

/// The smallest and largest of `values` (infinities when there are none).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    })
}

/// About `n` round tick values (1, 2 or 5 times a power of ten apart) in `lo..=hi`.
fn nice(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let raw = (hi - lo) / n as f64;
    if !(raw > 0.0 && raw.is_finite()) {
        return vec![lo];
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = mag
        * match raw / mag {
            r if r < 1.5 => 1.0,
            r if r < 3.0 => 2.0,
            r if r < 7.0 => 5.0,
            _ => 10.0,
        };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick label: `%g` with 4 significant digits (no `-0`).
pub(crate) fn num(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    crate::text::pyfmt::fmt_g(x, 4)
}

/// An SVG coordinate: one decimal, without a trailing `.0`.
pub(crate) fn c1(x: f64) -> String {
    let r = (x * 10.0).round() as i64;
    if r % 10 == 0 {
        (r / 10).to_string()
    } else {
        format!(
            "{}{}.{}",
            if r < 0 { "-" } else { "" },
            (r / 10).abs(),
            (r % 10).abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice(0.0, 1.0, 5),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = Axis::Log { lo: 1e-4, hi: 0.1 }.ticks();
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0.0001", "0.001", "0.01", "0.1"]);
        assert_eq!(Axis::Linear { lo: 0.0, hi: 1.0 }.ticks()[3].1, "0.6");
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(c1(12.0), "12");
        assert_eq!(c1(12.34), "12.3");
        assert_eq!(c1(-0.04), "0");
        assert_eq!(c1(-0.25), "-0.3");
        assert_eq!(c1(-1.25), "-1.3");
    }

    #[test]
    fn robust_range_leaves_out_far_outliers() {
        let mut v: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        let (a, narrowed) = Axis::robust(v.iter().copied());
        assert!(!narrowed);
        assert_eq!(a.at(0.5), Some(0.5005005005005005));
        v.push(1e9);
        let (a, narrowed) = Axis::robust(v.iter().copied());
        assert!(narrowed);
        assert!(a.at(1e9).unwrap() > 1.0);
    }

    #[test]
    fn positions() {
        let cat = Axis::Cat(vec!["a".into(), "b".into()]);
        assert_eq!(cat.pos(&Value::Str("b".into())), Some(0.75));
        assert_eq!(cat.pos(&Value::Str("c".into())), None);
        let log = Axis::log([0.001, 0.1].into_iter());
        assert_eq!(log.at(0.01), Some(0.5));
        assert_eq!(log.at(-1.0), None);
    }
}
