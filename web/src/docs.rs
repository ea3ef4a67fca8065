//! `/docs`: the OpenAPI explorer (poem-openapi's Swagger UI), inside a page that fits a
//! phone's width and has gitdash's top bar, so there is a way back to the dashboard.

use poem::{Endpoint, Route, endpoint::make_sync, web::Html};

/// The explorer's page for `ui_html` (as `OpenApiService::swagger_ui_html` gives it).
pub fn explorer(ui_html: &str) -> impl Endpoint + 'static {
    let html = framed(ui_html);
    Route::new().at("/", make_sync(move |_| Html(html.clone())))
}

fn framed(ui_html: &str) -> String {
    ui_html
        .replacen(
            "<head>",
            r#"<head>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" href="/static/style.css">"#,
            1,
        )
        .replacen(
            "<body>",
            r#"<body>
<header class="top docs-top"><a class="brand" href="/">gitdash</a><nav><a href="/">← Back to the dashboard</a></nav></header>"#,
            1,
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_explorer_gets_a_viewport_and_a_way_back() {
        let html =
            super::framed("<html><head><title>Swagger UI</title></head><body><div id=\"ui\"></div></body></html>");
        assert!(html.contains(r#"name="viewport" content="width=device-width"#), "{html}");
        assert!(html.contains(r#"<a href="/">← Back to the dashboard</a>"#), "{html}");
        assert!(html.contains(r#"<div id="ui">"#));
    }
}
