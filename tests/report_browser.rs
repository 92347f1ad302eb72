//! herd-report's page in a real browser (Debian's headless `chromium`; `make
//! test-browser`): the fixed sweep of `tests/report/fixture.py` (streams with a NaN, a
//! failed trial with logs, a log-scaled parameter, hostile names) is drawn by the real
//! binary, then opened: no script error, every chart present and drawn, the table
//! sorted by the page's script, and a screenshot close to `tests/data/report.png`.
//!
//! The screenshots stay in `target/report-browser/` (`report.png`, `report-dark.png`)
//! for a person to look at. `HERD_CHROMIUM` names another browser binary.
//! `HERD_UPDATE_SCREENSHOT=1` copies the new screenshot over the reference.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The share of pixels that may differ from the reference (fonts' antialiasing and
/// the workspace's path in the header differ between machines).
const MAX_DIFFERING: f64 = 0.02;

fn chromium() -> String {
    std::env::var("HERD_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Run headless chromium on `url` with `extra` flags; (stdout, stderr).
fn browse(out: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let profile = out.join(format!("profile-{}", extra.len()));
    let _ = std::fs::remove_dir_all(&profile);
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium (apt-get install chromium)");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(o.status.success(), "chromium failed: {o:?}");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The text of `<section id="ID">` … `</section>` in a dumped DOM.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = dom[start..].find("</section>").expect("section end") + start;
    &dom[start..end]
}

/// Console messages chromium printed. The page writes none, so each one is a fault
/// (chromium logs every console message, uncaught errors included, as
/// `…:INFO:CONSOLE:…`, whatever its level).
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// The index column of the table's rows, in page order.
fn row_indices(dom: &str) -> Vec<u64> {
    let body = section(dom, "best");
    let body = &body[body.find("<tbody>").expect("tbody")..];
    body.split("<tr")
        .skip(1)
        .filter_map(|row| {
            // rank cell, then the index cell: <td class="n" data-v="I">I</td>
            let cells: Vec<&str> = row.split("<td").collect();
            let idx = cells.get(2)?;
            let text = idx.split('>').nth(1)?.split('<').next()?;
            text.parse().ok()
        })
        .collect()
}

#[test]
#[ignore = "needs Debian's chromium: make test-browser"]
fn report_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out: PathBuf = root.join("target/report-browser");
    let ws = out.join("ws");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let st = Command::new("python3")
        .arg(root.join("tests/report/fixture.py"))
        .arg(&ws)
        .status()
        .expect("python3");
    assert!(st.success());
    let page = out.join("report.html");
    let o = Command::new(env!("CARGO_BIN_EXE_herd-report"))
        .arg(&ws)
        .arg("-o")
        .arg(&page)
        .output()
        .unwrap();
    assert!(o.status.success(), "herd-report: {o:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        html.matches("<script").count(),
        1,
        "one script: the page's own"
    );
    assert!(!html.contains("<img"), "an experiment name is escaped");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );

    // The console check sees errors: a page with one fails it.
    let bad = out.join("bad.html");
    std::fs::write(&bad, "<script>nosuch();</script>").unwrap();
    let (_, bad_stderr) = browse(&out, &format!("file://{}", bad.display()), &["--dump-dom"]);
    assert_eq!(console_messages(&bad_stderr).len(), 1, "{bad_stderr}");

    // Sorted on load by '#sort=-index': the page's script ran and sorted the rows.
    let url = format!("file://{}", page.display());
    let (dom, stderr) = browse(&out, &format!("{url}#sort=-index"), &["--dump-dom"]);
    std::fs::write(out.join("dom.html"), &dom).unwrap();
    assert_eq!(console_messages(&stderr), Vec::<&str>::new(), "{stderr}");
    assert!(
        !dom.contains("id=\"js-errors\""),
        "a script error on the page"
    );
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not finish"
    );
    assert_eq!(row_indices(&dom), (0..12).rev().collect::<Vec<u64>>());
    let (dom2, _) = browse(&out, &format!("{url}#sort=rank"), &["--dump-dom"]);
    assert_eq!(
        row_indices(&dom2)[..4],
        [7, 6, 3, 2],
        "sorted by rank, best first"
    );

    // Every chart is there and drawn: 10 trials logged two streams.
    let curves = section(&dom, "curves");
    assert_eq!(curves.matches("<svg").count(), 2);
    assert_eq!(curves.matches("<polyline").count(), 20);
    assert_eq!(
        curves.matches("<polyline class=\"k").count(),
        10,
        "5 best, 2 charts"
    );
    assert!(!curves.contains("points=\"\""), "an empty curve");
    let params = section(&dom, "params");
    assert_eq!(params.matches("<svg").count(), 2);
    assert_eq!(
        params.matches("<circle").count(),
        2 * 6,
        "6 trials have a finite val_loss"
    );
    assert!(params.contains("lr (log scale)"));
    let parallel = section(&dom, "parallel");
    assert_eq!(parallel.matches("<polyline").count(), 6);
    let status = section(&dom, "status");
    assert_eq!(status.matches("<li").count(), 5);
    let failures = section(&dom, "failures");
    assert_eq!(failures.matches("<pre>").count(), 2);
    assert!(failures.contains("TIMEOUT"));
    assert!(failures.contains("&lt;/pre&gt;&lt;script&gt;alert(2)"));
    assert!(dom.contains("data-theme=\"light\""));

    // Light and dark screenshots; the light one against the reference.
    let shot = out.join("report.png");
    let size = "--window-size=1200,2600";
    browse(
        &out,
        &url,
        &[&format!("--screenshot={}", shot.display()), size],
    );
    let dark = out.join("report-dark.png");
    browse(
        &out,
        &url,
        &[
            &format!("--screenshot={}", dark.display()),
            size,
            "--force-dark-mode",
        ],
    );
    assert!(std::fs::metadata(&dark).unwrap().len() > 10_000);
    let (dark_dom, _) = browse(&out, &url, &["--dump-dom", "--force-dark-mode"]);
    assert!(dark_dom.contains("data-theme=\"dark\""), "no dark theme");

    let reference = root.join("tests/data/report.png");
    if std::env::var_os("HERD_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&shot, &reference).unwrap();
    }
    let o = Command::new("python3")
        .arg(root.join("tests/report/pngdiff.py"))
        .arg(&reference)
        .arg(&shot)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "comparing screenshots: {text}");
    let fraction: f64 = text
        .rsplit("fraction=")
        .next()
        .and_then(|f| f.trim().parse().ok())
        .expect("a fraction");
    assert!(
        fraction <= MAX_DIFFERING,
        "{} differs from {}: {text} (look at both; HERD_UPDATE_SCREENSHOT=1 takes the new one)",
        shot.display(),
        reference.display()
    );
}
