//! The filter language and Stream's `filter_conditions`.

pub mod conditions;
