//! Charts drawn on the server as SVG: visible without JavaScript, with labelled axes, a
//! tooltip per bar (`<title>`) and a text alternative for screen readers.

use std::fmt::Write;

/// One bar: its label on the x axis and in the tooltip, and its height.
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The tooltip's text.
    pub detail: String,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// A coordinate written with one decimal through integer formatting: a chart over years of
/// weeks writes thousands of them, and `{:.1}` on an f64 costs several times as much.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

/// Text made safe for SVG, with the same HTML escaper the page templates use.
fn escape(text: &str) -> String {
    match askama::filters::escape(text, askama::filters::Html) {
        Ok(safe) => safe.to_string(),
        Err(never) => match never {},
    }
}

/// A bar chart of `bars`, described by `summary` for those who cannot see it.
pub fn bars(bars: &[Bar], summary: &str, unit: &str) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot_width = WIDTH - LEFT - 8.0;
    let plot_height = HEIGHT - BOTTOM - TOP;
    let step = plot_width / bars.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}"><desc>{label}</desc>"#,
        label = escape(summary)
    );
    // Y axis: zero, half and the maximum, with grid lines.
    for fraction in [0.0, 0.5, 1.0] {
        let y = TOP + plot_height * (1.0 - fraction);
        let value = (max as f64 * fraction).round() as i64;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}"/><text class="axis" x="{tx:.1}" y="{ty:.1}" text-anchor="end">{value}</text>"#,
            x2 = WIDTH - 8.0,
            tx = LEFT - 6.0,
            ty = y + 4.0
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis" x="12" y="{y:.1}" transform="rotate(-90 12 {y:.1})" text-anchor="middle">{unit}</text>"#,
        y = TOP + plot_height / 2.0,
        unit = escape(unit)
    );
    // At most about eight labels on the x axis, evenly spaced.
    let label_every = bars.len().div_ceil(8).max(1);
    for (i, bar) in bars.iter().enumerate() {
        let height = plot_height * bar.value as f64 / max as f64;
        let x = Tenths(LEFT + i as f64 * step);
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x}" y="{y}" width="{w}" height="{height}"><title>{title}</title></rect>"#,
            y = Tenths(TOP + plot_height - height),
            w = Tenths((step * 0.8).max(1.0)),
            height = Tenths(height),
            title = escape(&bar.detail)
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{x}" y="{y:.1}">{label}</text>"#,
                y = HEIGHT - 8.0,
                label = escape(&bar.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A punch card: one circle per weekday and hour, its area by the commits in that slot.
pub fn punch_card(card: &[[i64; 24]; 7], summary: &str) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let max = card.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let (left, top, cell) = (40.0, 10.0, 27.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart punchcard" viewBox="0 0 {w} {h}" role="img" aria-label="{label}"><desc>{label}</desc>"#,
        w = left + 24.0 * cell + 8.0,
        h = top + 7.0 * cell + 24.0,
        label = escape(summary)
    );
    for (d, row) in card.iter().enumerate() {
        let cy = top + d as f64 * cell + cell / 2.0;
        let _ = write!(svg, r#"<text class="axis" x="4" y="{y:.1}">{day}</text>"#, y = cy + 4.0, day = DAYS[d]);
        for (hour, &commits) in row.iter().enumerate() {
            let cx = left + hour as f64 * cell + cell / 2.0;
            let radius = (commits as f64 / max).sqrt() * (cell / 2.0 - 1.0);
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{cx:.1}" cy="{cy:.1}" r="{radius:.1}"><title>{commits} commits on {day} at {hour}:00</title></circle>"#,
                day = DAYS[d]
            );
        }
    }
    for hour in (0..24).step_by(3) {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{x:.1}" y="{y:.1}" text-anchor="middle">{hour}h</text>"#,
            x = left + hour as f64 * cell + cell / 2.0,
            y = top + 7.0 * cell + 16.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bar_has_a_tooltip_and_text_is_escaped() {
        let svg = bars(
            &[
                Bar { label: "Mon".into(), value: 3, detail: "3 commits".into() },
                Bar { label: "<b>".into(), value: 0, detail: "0 commits".into() },
            ],
            "Commits per day in <repo>",
            "commits",
        );
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2);
        assert!(svg.contains("<title>3 commits</title>"));
        assert!(!svg.contains("<repo>") && !svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&#60;repo&#62;") || svg.contains("&lt;repo&gt;"), "{svg}");
    }

    #[test]
    fn coordinates_are_written_like_one_decimal_formatting() {
        for value in [0.0, 0.04, 0.05, 1.25, 12.349, 719.96, -3.21, 180.0] {
            assert_eq!(Tenths(value).to_string(), format!("{:.1}", (value * 10.0_f64).round() / 10.0), "{value}");
        }
    }
}
