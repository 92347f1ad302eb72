//! The charts, as inline SVG: every trial's curve of one streamed metric, one
//! parameter against the objective, and parallel coordinates of the parameters and
//! the objective. Colours come from the page's CSS classes (`k0`…`k9` for the best
//! trials, `bg` for the rest), so both themes and print restyle them.

use super::axis::{c1, Axis};
use super::esc;
use crate::ops::report::{Objective, Param, Report, Row, Stream};
use crate::text::table::cell;
use crate::text::value::Value;
use std::fmt::Write;

/// Chart size and margins, in SVG user units.
const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

fn open(out: &mut String, class: &str, label: &str, w: f64, h: f64) {
    let _ = write!(
        out,
        "<svg class=\"chart {class}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
        c1(w),
        c1(h),
        esc(label)
    );
}

/// Grid lines and labels of an x axis (bottom) and a y axis (left).
fn frame(out: &mut String, x: &Axis, y: &Axis, xname: &str, yname: &str) {
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    out.push_str("<g class=\"axis\">");
    for (p, label) in x.ticks() {
        let px = LEFT + p * pw;
        let _ = write!(
            out,
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/><text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            c1(px),
            c1(TOP),
            c1(TOP + ph),
            c1(TOP + ph + 14.0),
            esc(&label)
        );
    }
    for (p, label) in y.ticks() {
        let py = TOP + (1.0 - p) * ph;
        let _ = write!(
            out,
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/><text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>",
            c1(LEFT),
            c1(py),
            c1(LEFT + pw),
            c1(LEFT - 4.0),
            c1(py + 4.0),
            esc(&label)
        );
    }
    let _ = write!(
        out,
        "<text class=\"name\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text class=\"name\" x=\"12\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">{}</text></g>",
        c1(LEFT + pw / 2.0),
        c1(H - 4.0),
        esc(xname),
        c1(TOP + ph / 2.0),
        c1(TOP + ph / 2.0),
        esc(yname)
    );
}

/// A position kept inside the frame (an outlier beyond a narrowed axis sits on its
/// end).
fn clamp(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

/// Say in the chart that its y axis was narrowed to leave out far outliers.
fn note_narrowed(out: &mut String, narrowed: bool) {
    if narrowed {
        let _ = write!(
            out,
            "<text class=\"clip\" x=\"{}\" y=\"{}\" text-anchor=\"end\">far outliers drawn at the edge</text>",
            c1(W - RIGHT - 4.0),
            c1(TOP + 12.0)
        );
    }
}

/// The class of a trial's mark: `k<rank>` for the best, `bg` for the rest.
fn class_of(top: &[u64], index: u64) -> String {
    match top.iter().position(|&i| i == index) {
        Some(k) => format!("k{}", k % 10),
        None => "bg".to_string(),
    }
}

/// Every trial's curve of one stream, the best drawn last and coloured.
pub(crate) fn curves(s: &Stream, top: &[u64]) -> String {
    let xs = Axis::linear(s.curves.iter().flat_map(|c| c.points.iter().map(|p| p.0)));
    let (ys, narrowed) = Axis::robust(s.curves.iter().flat_map(|c| c.points.iter().map(|p| p.1)));
    let ys = ys.padded();
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let mut out = String::new();
    open(&mut out, "curves", &format!("curves of {}", s.name), W, H);
    frame(&mut out, &xs, &ys, "step", &s.name);
    note_narrowed(&mut out, narrowed);
    let (best, rest): (Vec<_>, Vec<_>) = s.curves.iter().partition(|c| top.contains(&c.index));
    for c in rest.iter().chain(best.iter()) {
        let _ = write!(
            out,
            "<polyline class=\"{}\" points=\"",
            class_of(top, c.index)
        );
        // Whole units: a curve is at most ~120 points, and a repeated point is dropped.
        let mut last = (i64::MIN, i64::MIN);
        for &(x, y) in &c.points {
            let (Some(px), Some(py)) = (xs.at(x), ys.at(y).map(clamp)) else {
                continue;
            };
            let p = (
                (LEFT + px * pw).round() as i64,
                (TOP + (1.0 - py) * ph).round() as i64,
            );
            if p != last {
                let _ = write!(out, "{},{} ", p.0, p.1);
                last = p;
            }
        }
        let _ = write!(out, "\"><title>trial {}</title></polyline>", c.index);
    }
    out.push_str("</svg>");
    out
}

/// The axis of a parameter over the rows' values.
fn param_axis(p: &Param, k: usize, rows: &[Row]) -> Axis {
    let nums = || {
        rows.iter()
            .filter_map(move |r| r.params[k].as_ref()?.as_number())
    };
    match &p.categories {
        Some(values) => {
            let mut names: Vec<String> = Vec::new();
            for v in values
                .iter()
                .chain(rows.iter().filter_map(|r| r.params[k].as_ref()))
            {
                let t = cell(v).into_owned();
                if !names.contains(&t) {
                    names.push(t);
                }
            }
            Axis::Cat(names)
        }
        None if p.log => Axis::log(nums()),
        None => Axis::linear(nums()),
    }
}

/// A fixed spread of a trial's point within its category's band, -0.5..0.5 (the
/// same trial lands in the same place every time).
fn spread(index: u64) -> f64 {
    let h = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    (h as f64 / (1u64 << 24) as f64) - 0.5
}

/// One parameter against the objective: a point per trial with both.
pub(crate) fn scatter(r: &Report, k: usize, o: &Objective) -> String {
    let p = &r.params[k];
    let xs = param_axis(p, k, &r.rows).padded();
    let (ys, narrowed) = Axis::robust(r.rows.iter().filter_map(|r| r.objective));
    let ys = ys.padded();
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let mut out = String::new();
    open(
        &mut out,
        "scatter",
        &format!("{} against {}", p.name, o.metric),
        W,
        H,
    );
    let xname = if p.log {
        format!("{} (log scale)", p.name)
    } else {
        p.name.clone()
    };
    frame(&mut out, &xs, &ys, &xname, &o.metric);
    note_narrowed(&mut out, narrowed);
    // The rest first, then the best on top.
    for row in r.rows.iter().rev() {
        let (Some(v), Some(y)) = (row.params[k].as_ref(), row.objective) else {
            continue;
        };
        let (Some(px), Some(py)) = (xs.pos(v), ys.at(y).map(clamp)) else {
            continue;
        };
        let px = px + 0.6 * xs.band() * spread(row.index);
        let _ = write!(
            out,
            "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3.5\"><title>trial {}: {} = {}, {} = {}</title></circle>",
            class_of(&r.top, row.index),
            c1(LEFT + px * pw),
            c1(TOP + (1.0 - py) * ph),
            row.index,
            esc(&p.name),
            esc(&cell(v)),
            esc(&o.metric),
            esc(&cell(&Value::Float(y)))
        );
    }
    out.push_str("</svg>");
    out
}

/// A colour for an objective value at `t` (0 best … 1 worst): green, yellow, red.
fn ramp(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 3] = [
        (26.0, 152.0, 80.0),
        (230.0, 190.0, 40.0),
        (215.0, 48.0, 39.0),
    ];
    let t = t.clamp(0.0, 1.0) * 2.0;
    let k = (t.floor() as usize).min(1);
    let f = t - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Parallel coordinates: one vertical axis per parameter and the objective last; a
/// line per trial with an objective, coloured by its rank (green is best).
pub(crate) fn parallel(r: &Report, o: &Objective) -> String {
    let mut axes: Vec<(String, Axis)> = r
        .params
        .iter()
        .enumerate()
        .map(|(k, p)| (p.name.clone(), param_axis(p, k, &r.rows)))
        .collect();
    let (ys, _) = Axis::robust(r.rows.iter().filter_map(|r| r.objective));
    axes.push((o.metric.clone(), ys.clone()));
    let n = axes.len();
    let (left, right, top, bottom) = (60.0, 60.0, 24.0, 20.0);
    // Wide, as the page: the chart spans it, so its text keeps the size of the others'.
    let w = (220.0 * n as f64).max(1100.0);
    let (pw, ph) = (w - left - right, H - top - bottom);
    let ax_x = |j: usize| left + pw * j as f64 / (n - 1).max(1) as f64;
    let mut out = String::new();
    open(&mut out, "parallel", "parallel coordinates", w, H);
    let ranked: Vec<&Row> = r.rows.iter().filter(|x| x.objective.is_some()).collect();
    for (rank, row) in ranked.iter().enumerate().rev() {
        let t = if ranked.len() > 1 {
            rank as f64 / (ranked.len() - 1) as f64
        } else {
            0.0
        };
        let _ = write!(
            out,
            "<polyline class=\"pc\" stroke=\"{}\" points=\"",
            ramp(t)
        );
        for (j, (_, axis)) in axes.iter().enumerate() {
            // On a categorical axis, spread as in the scatter plots, so that the
            // lines through one category stay apart.
            let p = match row.params.get(j) {
                Some(v) if j < n - 1 => v
                    .as_ref()
                    .and_then(|v| axis.pos(v))
                    .map(|p| p + 0.3 * axis.band() * spread(row.index)),
                _ => row.objective.and_then(|y| axis.at(y)).map(clamp),
            };
            if let Some(p) = p {
                let _ = write!(out, "{},{} ", c1(ax_x(j)), c1(top + (1.0 - p) * ph));
            }
        }
        let _ = write!(out, "\"><title>trial {}</title></polyline>", row.index);
    }
    out.push_str("<g class=\"axis\">");
    for (j, (name, axis)) in axes.iter().enumerate() {
        let x = ax_x(j);
        let _ = write!(
            out,
            "<line class=\"pcaxis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/><text class=\"name\" x=\"{0}\" y=\"14\" text-anchor=\"middle\">{3}</text>",
            c1(x),
            c1(top),
            c1(top + ph),
            esc(name)
        );
        for (p, label) in axis.ticks() {
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>",
                c1(x + 4.0),
                c1(top + (1.0 - p) * ph + 4.0),
                esc(&label)
            );
        }
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_fixed_and_bounded() {
        for i in 0..1000 {
            let s = spread(i);
            assert!((-0.5..0.5).contains(&s));
            assert_eq!(s, spread(i));
        }
        assert_ne!(spread(1), spread(2));
    }

    #[test]
    fn ramp_ends() {
        assert_eq!(ramp(0.0), "#1a9850");
        assert_eq!(ramp(1.0), "#d73027");
    }
}
