//! Server-rendered pages: askama templates in `web/templates` (escaped by default), charts
//! drawn as SVG on the server, and one filter bar shared by every dashboard page. Each page
//! reads its view from the URL (`crate::view`) and calls the same queries as the API.

pub mod assets;
pub mod breadcrumb;
pub mod charts;
pub mod commit;
pub mod commits;
pub mod committers;
pub mod error;
pub mod export;
pub mod file;
pub mod files;
pub mod filter_bar;
pub mod format;
pub mod hosts;
pub mod landing;
pub mod links;
pub mod message;
pub mod overview;
pub mod ownership;
pub mod person;
pub mod repositories;
pub mod statistics;
