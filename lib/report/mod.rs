//! The report page: one self-contained HTML file (inline CSS, SVG and a small
//! script; nothing fetched) drawn from an [`ops::report::Report`](crate::ops::report::Report).
//! Reads no sweep file; every text that comes from the sweep is HTML-escaped here.
//!
//! A layer of its own, between `ops` (which gathers the record) and `tools` (which
//! writes the file): drawing is neither an operation on a sweep nor text of values,
//! and a second front end (another page, a terminal plot) could share it.

mod axis;
mod charts;

use crate::ops::report::{Objective, Report, Source};
use crate::text::table::cell;
use crate::text::value::Value;
use std::fmt::Write;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// Text made safe inside HTML elements and quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a status word: known words only (anything else is `st-other`).
fn status_class(word: &str) -> &str {
    if crate::model::record::Status::KNOWN.contains(&word) {
        word
    } else {
        "other"
    }
}

/// How to say which objective was used and how to change it.
fn objective_note(o: &Objective) -> String {
    let why = match o.source {
        Source::Flag => "as --sort asked",
        Source::Halving => "the successive_halving block's metric and direction",
        Source::FirstSummary => "the first summary metric, ascending",
        Source::FirstStream => "no summary metric is logged: the first streamed metric, ascending",
    };
    let value = if o.from_stream {
        " (its stream's value at the last step)"
    } else {
        ""
    };
    let better = if o.maximize { "higher" } else { "lower" };
    format!(
        "Trials are ranked by <b>{}</b>{value}, {better} is better: {why}. Another ranking: <code>herd report --sort METRIC</code> (lower is better) or <code>--sort -METRIC</code> (higher is better).",
        esc(&o.metric)
    )
}

/// The text of a value in a cell, and its sort key (`data-v`: the number, else text).
fn td(out: &mut String, v: Option<&Value>) {
    match v {
        None => out.push_str("<td></td>"),
        Some(v) => {
            let text = esc(&cell(v));
            match v.as_number() {
                Some(x) if x.is_finite() => {
                    let _ = write!(out, "<td class=\"n\" data-v=\"{x:e}\">{text}</td>");
                }
                _ => {
                    let _ = write!(out, "<td>{text}</td>");
                }
            }
        }
    }
}

fn status_section(out: &mut String, r: &Report) {
    let total: usize = r.counts.iter().map(|c| c.1).sum();
    out.push_str("<section id=\"status\"><h2>Status</h2><ul class=\"counts\">");
    for (word, n) in &r.counts {
        let _ = write!(
            out,
            "<li class=\"st-{}\"><b>{n}</b> {}</li>",
            status_class(word),
            esc(word)
        );
    }
    let _ = write!(
        out,
        "</ul><p class=\"note\">{total} trials. Statuses as herd-res reads them: as last recorded in the workspace (<code>herd status</code> asks SLURM and records them).</p></section>"
    );
}

fn table_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"best\"><h2>Trials</h2>");
    if let Some(o) = &r.objective {
        let _ = write!(out, "<p class=\"note\">{}</p>", objective_note(o));
    } else {
        out.push_str("<p class=\"note\">No metrics are logged yet (trials log them with <code>herd log</code> or <code>hyperherd.log_result</code>).</p>");
    }
    out.push_str("<p class=\"note\">Click a column's name to sort by it.</p><div class=\"scroll\"><table id=\"trials\"><thead><tr>");
    let mut heads: Vec<&str> = vec!["rank", "index", "status", "experiment_name"];
    heads.extend(r.params.iter().map(|p| p.name.as_str()));
    heads.extend(r.metrics.iter().map(String::as_str));
    let objective_col = r
        .objective
        .as_ref()
        .filter(|o| o.from_stream)
        .map(|o| format!("{}@last", o.metric));
    if let Some(c) = &objective_col {
        heads.push(c);
    }
    for h in heads {
        let _ = write!(out, "<th data-k=\"{0}\">{0}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    let mut rank = 0;
    for row in &r.rows {
        let top = r.top.iter().position(|&i| i == row.index);
        match top {
            Some(k) => {
                let _ = write!(out, "<tr class=\"top k{}\">", k % 10);
            }
            None => out.push_str("<tr>"),
        }
        if row.objective.is_some() {
            rank += 1;
            let _ = write!(out, "<td class=\"n\" data-v=\"{rank}\">{rank}</td>");
        } else {
            out.push_str("<td></td>");
        }
        let _ = write!(
            out,
            "<td class=\"n\" data-v=\"{0}\">{0}</td><td class=\"st-{1}\">{2}</td><td>{3}</td>",
            row.index,
            status_class(&row.status),
            esc(&row.status),
            esc(&row.name)
        );
        for v in row.params.iter().chain(&row.metrics) {
            td(out, v.as_ref());
        }
        if objective_col.is_some() {
            td(out, row.objective.map(Value::Float).as_ref());
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

/// The legend of the best trials: their colour, index, name and objective.
fn legend(out: &mut String, r: &Report) {
    out.push_str("<ol class=\"legend\">");
    for (k, index) in r.top.iter().enumerate() {
        let Some(row) = r.rows.iter().find(|x| x.index == *index) else {
            continue;
        };
        let value = row.objective.map(|y| cell(&Value::Float(y)).into_owned());
        let _ = write!(
            out,
            "<li class=\"k{}\"><span class=\"sw\"></span>trial {} <span class=\"muted\">{}</span> {}</li>",
            k % 10,
            row.index,
            esc(&row.name),
            esc(&value.unwrap_or_default())
        );
    }
    out.push_str("</ol>");
}

fn curves_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"curves\"><h2>Curves</h2>");
    if r.streams.is_empty() {
        out.push_str("<p class=\"note\">No metric is streamed (<code>herd log --step</code>).</p>");
    } else {
        let _ = write!(
            out,
            "<p class=\"note\">Every trial's curve, downsampled to at most {} points; the best {} in colour.</p>",
            crate::ops::report::MAX_POINTS,
            r.top.len()
        );
        legend(out, r);
    }
    out.push_str("<div class=\"grid\">");
    for s in &r.streams {
        let _ = write!(
            out,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            esc(&s.name),
            charts::curves(s, &r.top)
        );
    }
    out.push_str("</div></section>");
}

fn params_sections(out: &mut String, r: &Report) {
    out.push_str("<section id=\"params\"><h2>Parameters against the objective</h2>");
    let Some(o) = &r.objective else {
        out.push_str("<p class=\"note\">No objective: no metric is logged yet.</p></section>");
        return;
    };
    if r.params.is_empty() {
        out.push_str("<p class=\"note\">The sweep has no parameters.</p>");
    }
    out.push_str("<div class=\"grid\">");
    for (k, p) in r.params.iter().enumerate() {
        let _ = write!(
            out,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            esc(&p.name),
            charts::scatter(r, k, o)
        );
    }
    out.push_str("</div></section><section id=\"parallel\"><h2>Parallel coordinates</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">One line per trial through its parameters to <b>{}</b>; green is best, red worst.</p><figure>{}</figure></section>",
        esc(&o.metric),
        charts::parallel(r, o)
    );
}

fn failures_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"failures\"><h2>Failed trials</h2>");
    if r.failures.is_empty() {
        out.push_str("<p class=\"note\">None.</p>");
    }
    for f in &r.failures {
        let mut how = String::new();
        if let Some(s) = &f.slurm_state {
            let _ = write!(how, " {}", esc(s));
        }
        if let Some(c) = f.exit_code {
            let _ = write!(how, " exit {c}");
        }
        let _ = write!(
            out,
            "<details class=\"failure\" open><summary>trial {} <span class=\"muted\">{}</span><b>{how}</b></summary>",
            f.index,
            esc(&f.name)
        );
        if f.logs.is_empty() {
            out.push_str("<p class=\"note\">No logs.</p>");
        }
        for (path, lines) in &f.logs {
            let _ = write!(out, "<p class=\"path\">{}</p><pre>", esc(path));
            for l in lines {
                out.push_str(&esc(l));
                out.push('\n');
            }
            out.push_str("</pre>");
        }
        out.push_str("</details>");
    }
    if r.failures_omitted > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{} more failed trials are not shown (<code>herd tail INDEX</code> shows any trial's logs).</p>",
            r.failures_omitted
        );
    }
    out.push_str("</section>");
}

/// The report page.
pub(crate) fn html(r: &Report) -> String {
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><title>{} · herd report</title><style>{STYLE}</style></head><body><header><h1>{}</h1><p class=\"muted\">{}</p></header>",
        esc(&r.sweep),
        esc(&r.sweep),
        esc(&r.workspace)
    );
    if !r.problems.is_empty() {
        out.push_str("<section id=\"problems\"><h2>Unreadable results</h2><ul>");
        for p in &r.problems {
            let _ = write!(out, "<li>{}</li>", esc(p));
        }
        out.push_str("</ul></section>");
    }
    status_section(&mut out, r);
    table_section(&mut out, r);
    curves_section(&mut out, r);
    params_sections(&mut out, r);
    failures_section(&mut out, r);
    let _ = writeln!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<script>alert(1)</script>\"'&"),
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"
        );
        assert_eq!(status_class("<b>"), "other");
        assert_eq!(status_class("failed"), "failed");
    }
}
