//! `/docs`: the OpenAPI explorer (poem-openapi's Swagger UI), inside a page that fits a
//! phone's width and has gitdash's top bar, so there is a way back to the dashboard.

use poem::{Endpoint, Route, endpoint::make_sync, web::Html};

/// The explorer's page for `ui_html` (as `OpenApiService::swagger_ui_html` gives it).
pub fn explorer(ui_html: &str) -> impl Endpoint + 'static {
    let html = framed(ui_html);
    Route::new().at("/", make_sync(move |_| Html(html.clone())))
}

fn framed(ui_html: &str) -> String {
    // The head comes first in the page: its first "<head>" is the tag.
    let head = ui_html.replacen(
        "<head>",
        r#"<head>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" href="/static/style.css">"#,
        1,
    );
    // The head inlines Swagger UI's script, whose text holds "<head></head><body>" too, so
    // the bar goes before the explorer's mount point, which only the body holds.
    head.replacen(
        r#"<div id="ui">"#,
        r#"<header class="top docs-top"><a class="brand" href="/">gitdash</a><nav><a href="/">← Back to the dashboard</a></nav></header>
<div id="ui">"#,
        1,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_explorer_gets_a_viewport_and_a_way_back() {
        let script = r#"<script>x = '<head></head><body>' + y + "</body>"</script>"#;
        let html = super::framed(&format!(
            "<html><head><title>Swagger UI</title>{script}</head><body><div id=\"ui\"></div></body></html>"
        ));
        assert!(html.contains(r#"name="viewport" content="width=device-width"#), "{html}");
        assert!(html.contains(script), "the script is left whole: {html}");
        assert!(html.contains(r#"<body><header class="top docs-top">"#), "the bar opens the body: {html}");
        assert!(html.contains(r#"<a href="/">← Back to the dashboard</a>"#), "{html}");
        assert!(html.contains(
            r#"</header>
<div id="ui">"#
        ));
    }
}
