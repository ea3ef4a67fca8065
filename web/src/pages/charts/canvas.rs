//! Drawing: the two sizes a chart comes in, and the SVG of bars, axes and tooltips.
//!
//! A bar's tooltip is drawn in a band above the plot, so no later bar paints over it, and
//! it shows through CSS alone (`.slot:hover`, `.slot:focus-within`; the CSP allows no
//! inline script). On a mouse the whole column is a link to the bar's commits; on a touch
//! screen the stylesheet lets a tap through to the column, which takes focus and shows the
//! tooltip, whose own link then leads on.

use std::fmt::Write;

use super::axis;

/// One column: a bar above the axis, and below it for two-sided charts.
pub struct Slot<'a> {
    pub label: &'a str,
    pub up: i64,
    pub down: i64,
    pub detail: &'a str,
    pub href: Option<&'a str>,
}

/// A drawing size, in the SVG's own units (which the page scales to its width).
pub struct Canvas {
    class: &'static str,
    width: f64,
    height: f64,
    left: f64,
    font: f64,
    /// The most x-axis labels that fit.
    labels: usize,
}

impl Canvas {
    pub const WIDE: Canvas = Canvas { class: "wide", width: 900.0, height: 260.0, left: 56.0, font: 11.0, labels: 10 };
    /// Drawn for a phone about 360 px wide, so its text is as large as the page's small print.
    pub const NARROW: Canvas =
        Canvas { class: "narrow", width: 360.0, height: 250.0, left: 40.0, font: 11.0, labels: 4 };

    fn band(&self) -> f64 {
        2.0 * self.font + 14.0
    }

    pub fn draw(&self, slots: &[Slot<'_>], summary: &str, unit: &str, two_sided: bool) -> String {
        let top_value = slots.iter().map(|s| s.up).max().unwrap_or(0);
        let bottom_value = slots.iter().map(|s| s.down).max().unwrap_or(0);
        let ticks = axis::ticks(top_value.max(bottom_value));
        let step_top = *ticks.last().unwrap_or(&1) as f64;
        let (high, low) = if two_sided { (step_top, -step_top) } else { (step_top, 0.0) };
        let (plot_top, plot_bottom) = (self.band() + 4.0, self.height - self.font - 12.0);
        let plot_width = self.width - self.left - 8.0;
        let y = |value: f64| plot_top + (plot_bottom - plot_top) * (high - value) / (high - low);
        let short = self.class == "narrow";

        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart {class}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}"><desc>{label}</desc>"#,
            class = self.class,
            w = self.width,
            h = self.height,
            label = escape(summary)
        );
        let mut tick_values: Vec<i64> = ticks.clone();
        if low < 0.0 {
            tick_values.extend(ticks.iter().skip(1).map(|t| -t));
        }
        for tick in tick_values {
            let ty = y(tick as f64);
            let _ = write!(
                svg,
                r#"<line class="grid{zero}" x1="{l}" y1="{ty}" x2="{r}" y2="{ty}"/><text class="tick" x="{tx}" y="{ly}" text-anchor="end">{text}</text>"#,
                zero = if tick == 0 { " zero" } else { "" },
                l = self.left,
                r = Tenths(self.width - 8.0),
                ty = Tenths(ty),
                tx = Tenths(self.left - 5.0),
                ly = Tenths(ty + self.font / 3.0),
                text = axis::tick_label(tick, short)
            );
        }
        let _ = write!(
            svg,
            r#"<text class="unit" x="{x}" y="{y}" transform="rotate(-90 {x} {y})" text-anchor="middle">{unit}</text>"#,
            x = Tenths(self.font),
            y = Tenths((plot_top + plot_bottom) / 2.0),
            unit = escape(unit)
        );
        let step = plot_width / slots.len().max(1) as f64;
        let label_every = slots.len().div_ceil(self.labels).max(1);
        for (i, slot) in slots.iter().enumerate() {
            let x = self.left + i as f64 * step;
            let bar_width = (step * 0.8).max(1.0);
            svg.push_str(r#"<g class="slot" tabindex="0">"#);
            let zero = y(0.0);
            let up = y(slot.up as f64);
            let _ = write!(
                svg,
                r#"<rect class="bar up" x="{x}" y="{y}" width="{w}" height="{h}"/>"#,
                x = Tenths(x),
                y = Tenths(up),
                w = Tenths(bar_width),
                h = Tenths(zero - up)
            );
            if low < 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect class="bar down" x="{x}" y="{y}" width="{w}" height="{h}"/>"#,
                    x = Tenths(x),
                    y = Tenths(zero),
                    w = Tenths(bar_width),
                    h = Tenths(y(-(slot.down as f64)) - zero)
                );
            }
            let column = format!(
                r#"<rect class="column" x="{x}" y="{y}" width="{w}" height="{h}"/>"#,
                x = Tenths(x),
                y = Tenths(plot_top),
                w = Tenths(step),
                h = Tenths(plot_bottom - plot_top)
            );
            match slot.href {
                Some(href) => {
                    let _ = write!(
                        svg,
                        r#"<a class="hit" href="{}" aria-label="{}">{column}</a>"#,
                        escape(href),
                        escape(slot.detail)
                    );
                }
                None => svg.push_str(&column),
            }
            self.tip(&mut svg, x, slot);
            svg.push_str("</g>");
            if i % label_every == 0 {
                let _ = write!(
                    svg,
                    r#"<text class="label" x="{x}" y="{y}">{label}</text>"#,
                    x = Tenths(x),
                    y = Tenths(self.height - 6.0),
                    label = escape(slot.label)
                );
            }
        }
        svg.push_str("</svg>");
        svg
    }

    /// The tooltip in the band above the plot: the value and period, and a link on.
    fn tip(&self, svg: &mut String, x: f64, slot: &Slot<'_>) {
        let link = slot.href.map(|_| "See the list →");
        let longest = slot.detail.chars().count().max(link.map_or(0, |l| l.chars().count()));
        let width = (longest as f64 * self.font * 0.56 + 14.0).min(self.width - 4.0);
        let left = x.min(self.width - width - 2.0).max(2.0);
        let _ = write!(
            svg,
            r#"<g class="tip"><rect x="{l}" y="2" width="{w}" height="{h}" rx="4"/><text x="{tx}" y="{y1}">{detail}</text>"#,
            l = Tenths(left),
            w = Tenths(width),
            h = Tenths(self.band() - 2.0),
            tx = Tenths(left + 7.0),
            y1 = Tenths(2.0 + self.font + 3.0),
            detail = escape(slot.detail)
        );
        if let (Some(href), Some(link)) = (slot.href, link) {
            let _ = write!(
                svg,
                r#"<a href="{href}"><text class="more" x="{tx}" y="{y2}">{link}</text></a>"#,
                href = escape(href),
                tx = Tenths(left + 7.0),
                y2 = Tenths(2.0 + 2.0 * self.font + 7.0)
            );
        }
        svg.push_str("</g>");
    }
}

/// A row's small activity chart: bars only, no axes.
/// A bar of one entry's churn beside the others': lines added then removed, scaled so that
/// `max` fills the width.
pub fn churn_bar(added: i64, removed: i64, max: i64, summary: &str) -> String {
    let (width, height) = (120.0, 10.0);
    let scale = width / max.max(1) as f64;
    let (a, r) = (added.max(0) as f64 * scale, removed.max(0) as f64 * scale);
    format!(
        r#"<svg class="churn" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{label}"><rect class="added" x="0" y="0" width="{a}" height="{height}"/><rect class="removed" x="{a}" y="0" width="{r}" height="{height}"/></svg>"#,
        label = escape(summary),
        a = Tenths(a),
        r = Tenths(r),
    )
}

pub fn sparkline(values: &[i64], summary: &str) -> String {
    let (width, height) = (120.0, 24.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = width / values.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{label}">"#,
        label = escape(summary)
    );
    for (i, &value) in values.iter().enumerate() {
        if value == 0 {
            continue;
        }
        let h = ((value as f64 / max) * (height - 2.0)).max(1.0);
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}"/>"#,
            x = Tenths(i as f64 * step),
            y = Tenths(height - h),
            w = Tenths((step * 0.85).max(0.5)),
            h = Tenths(h)
        );
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
        let _ = write!(svg, r#"<text class="label" x="4" y="{y}">{day}</text>"#, y = Tenths(cy + 4.0), day = DAYS[d]);
        for (hour, &commits) in row.iter().enumerate() {
            let cx = left + hour as f64 * cell + cell / 2.0;
            let radius = (commits as f64 / max).sqrt() * (cell / 2.0 - 1.0);
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{cx}" cy="{cy}" r="{r}"><title>{n} on {day} at {hour}:00</title></circle>"#,
                cx = Tenths(cx),
                cy = Tenths(cy),
                r = Tenths(radius),
                n = crate::pages::format::count(commits, "commit", "commits"),
                day = DAYS[d]
            );
        }
    }
    for hour in (0..24).step_by(3) {
        let _ = write!(
            svg,
            r#"<text class="label" x="{x}" y="{y}" text-anchor="middle">{hour}h</text>"#,
            x = Tenths(left + hour as f64 * cell + cell / 2.0),
            y = Tenths(top + 7.0 * cell + 16.0)
        );
    }
    svg.push_str("</svg>");
    svg
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_written_like_one_decimal_formatting() {
        for value in [0.0, 0.04, 0.05, 1.25, 12.349, 719.96, -3.21, 180.0] {
            assert_eq!(Tenths(value).to_string(), format!("{:.1}", (value * 10.0_f64).round() / 10.0), "{value}");
        }
    }
}
