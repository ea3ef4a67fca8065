//! The breadcrumb above a folder or file (Files, Ownership, a file's page): the scope first,
//! then each folder above it, each a link to the same page there.

/// One step of the breadcrumb.
pub struct Crumb {
    pub name: String,
    pub href: String,
}

/// The steps above `path` (`None` at the top), starting with `top` (the scope's name), and
/// the path's own last name ("" at the top). `link(folder)` is where a step leads (`None`
/// for the top).
pub fn trail(top: String, path: Option<&str>, link: impl Fn(Option<&str>) -> String) -> (Vec<Crumb>, String) {
    let mut crumbs = vec![Crumb { name: top, href: link(None) }];
    let mut here = String::new();
    if let Some(path) = path {
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                here = (*part).to_owned();
            } else {
                crumbs.push(Crumb { name: (*part).to_owned(), href: link(Some(&parts[..=i].join("/"))) });
            }
        }
    }
    (crumbs, here)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_folder_above_is_a_step_and_the_last_name_is_where_you_are() {
        let (crumbs, here) =
            trail("flask".into(), Some("src/flask/app.py"), |f| format!("/files?path={}", f.unwrap_or("")));
        let steps: Vec<(&str, &str)> = crumbs.iter().map(|c| (c.name.as_str(), c.href.as_str())).collect();
        assert_eq!(steps, [("flask", "/files?path="), ("src", "/files?path=src"), ("flask", "/files?path=src/flask")]);
        assert_eq!(here, "app.py");
        let (crumbs, here) = trail("All repositories".into(), None, |_| "/files".into());
        assert_eq!((crumbs.len(), here.as_str()), (1, ""));
    }
}
