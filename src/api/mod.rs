//! The Stream Video client: models, timestamps, auth and HTTP.

pub mod models;
pub mod timestamp;
