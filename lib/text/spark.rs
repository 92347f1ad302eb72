//! Sparklines: a series drawn in one line of block characters `▁▂▃▄▅▆▇█`, or with
//! the ASCII ramp `_.-~^` (low to high) where the terminal cannot show them.
//!
//! The series is (step, value) in step order. With more points than cells, the step
//! range is cut into equal buckets, each drawn as the mean of its values; with fewer,
//! each point is one cell. Cells are scaled between the line's own smallest and
//! largest value (all equal: the middle level). A cell with no finite value (NaN,
//! infinite, not a number, or no point in that bucket) is a space; an empty series
//! is an empty line.

/// The block characters, lowest first.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The ASCII ramp, lowest first.
const RAMP: [char; 5] = ['_', '.', '-', '~', '^'];

/// Draw `points` (step, value; sorted by step) in at most `width` cells.
pub(crate) fn sparkline(points: &[(i64, Option<f64>)], width: usize, ascii: bool) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let width = width.max(1);
    let mut sums = vec![(0.0f64, 0u32); width.min(points.len())];
    let cells = sums.len();
    let span = i128::from(last.0) - i128::from(first.0) + 1;
    for (k, &(step, v)) in points.iter().enumerate() {
        let b = if points.len() <= width {
            k
        } else {
            // Steps are sorted, so span > 0 and the bucket is in range.
            ((i128::from(step) - i128::from(first.0)) * cells as i128 / span.max(1)) as usize
        };
        if let Some(x) = v.filter(|x| x.is_finite()) {
            let s = &mut sums[b.min(cells - 1)];
            s.0 += x;
            s.1 += 1;
        }
    }
    let means: Vec<Option<f64>> = sums
        .iter()
        .map(|&(s, n)| (n > 0).then(|| s / f64::from(n)))
        .collect();
    let (lo, hi) = means
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let levels: &[char] = if ascii { &RAMP } else { &BLOCKS };
    let top = levels.len() - 1;
    means
        .iter()
        .map(|m| match m {
            None => ' ',
            Some(x) if hi > lo => {
                let at = ((x - lo) / (hi - lo) * top as f64).round();
                levels[(at.max(0.0) as usize).min(top)]
            }
            Some(_) => levels[top / 2],
        })
        .collect()
}

/// True when the locale the environment names is UTF-8: the first of `LC_ALL`,
/// `LC_CTYPE` and `LANG` that is set and not empty, holding `UTF-8` or `utf8` in any
/// case, as terminals and the C library read it. `var` looks a variable up.
pub(crate) fn utf8_locale(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(vals: &[Option<f64>]) -> Vec<(i64, Option<f64>)> {
        vals.iter()
            .enumerate()
            .map(|(i, v)| (i as i64, *v))
            .collect()
    }

    #[test]
    fn few_points_are_one_cell_each_scaled_between_their_extremes() {
        let p = pts(&[Some(0.0), Some(1.0), Some(2.0), Some(7.0)]);
        assert_eq!(sparkline(&p, 20, false), "▁▂▃█");
        assert_eq!(sparkline(&p, 20, true), "_..^");
        assert_eq!(sparkline(&[], 20, false), "");
        assert_eq!(sparkline(&pts(&[Some(3.0), Some(3.0)]), 20, false), "▄▄");
        // NaN, infinities and values that are not numbers are spaces.
        let holes = pts(&[
            Some(1.0),
            Some(f64::NAN),
            None,
            Some(f64::INFINITY),
            Some(2.0),
        ]);
        assert_eq!(sparkline(&holes, 20, false), "▁   █");
    }

    #[test]
    fn many_points_are_bucket_means_over_the_step_range() {
        // 100 steps into 4 buckets of 25: means 12, 37, 62, 87.
        let p: Vec<(i64, Option<f64>)> = (0..100).map(|s| (s, Some(s as f64))).collect();
        assert_eq!(sparkline(&p, 4, false), "▁▃▆█");
        // Buckets cut the step range, not the points: a gap is a space.
        let gap = [
            (0, Some(1.0)),
            (1, Some(1.0)),
            (2, Some(1.0)),
            (90, Some(5.0)),
            (99, Some(9.0)),
        ];
        assert_eq!(sparkline(&gap, 4, true), "_  ^");
        // Huge steps do not overflow.
        let wide = [(i64::MIN, Some(0.0)), (0, Some(1.0)), (i64::MAX, Some(2.0))];
        assert_eq!(sparkline(&wide, 2, false).chars().count(), 2);
    }

    #[test]
    fn the_locale_decides_utf8_in_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(utf8_locale(env(&[("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(env(&[("LC_CTYPE", "C.utf8"), ("LANG", "C")])));
        assert!(!utf8_locale(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(utf8_locale(env(&[("LC_ALL", ""), ("LANG", "de_DE.Utf-8")])));
        assert!(!utf8_locale(env(&[])));
        assert!(!utf8_locale(env(&[("LANG", "POSIX")])));
    }
}
