//! The fields of a participant session (a row of `participants_sessions`), declared once.
//!
//! `participant_session_fields!` is the one list of the fields headcount reads, each with its
//! kind. Every model of a row is generated from it by a macro of its own module, which gives
//! each kind its type and decoding:
//!
//! - the owned model, `models::ParticipantSessionDetails` (serde's derive; the sim writes its
//!   rows through it, so a field the sim does not fill is a compile error there);
//! - the borrowed model, `page_ref::SessionDetailsRef`, and its view of an owned row;
//! - the keys and the row visitor of the hand-written decoder (`page_ref/seed.rs`);
//! - [`SessionFields`], one accessor per field, which every row the filter reads implements
//!   (the two models by a macro here, the store's rows in `attendance/filtering.rs`, the
//!   filter's own test rows), so that a store that does not keep a new field does not compile.
//!
//! | Kind | Owned | Borrowed | Read as | Absent or `null` |
//! | --- | --- | --- | --- | --- |
//! | `RequiredText` | `String` | `Cow<str>` | `&str` | refused (a missing field) |
//! | `Text` | `String` | `Cow<str>` | `&str` | empty |
//! | `TextList` | `Vec<String>` | `RoleList` | an iterator of `&str` | empty |
//! | `Timestamp` | `Option<Nanos>` | the same | the same | `None`; every encoding of [`super::timestamp`] |
//! | `Integer` | `Option<i64>` | the same | the same | `None`; integers, floats and strings |
//!
//! To add a field: one line here, then whatever the compiler asks for (the store's row and
//! its accessor, the sim's row).

use super::models::ParticipantSessionDetails;
use super::page_ref::SessionDetailsRef;
use super::timestamp::Nanos;

/// Calls the macro `$then!` with every field of a participant session, in the order the
/// owned model serializes them: `$(#[doc])* name: Kind,` for each.
/// `participant_session_fields!(then [args])` passes `[args]` first.
macro_rules! participant_session_fields {
    ($then:ident $([$($arg:tt)*])?) => {
        $then! {
            $([$($arg)*])?
            user_id: RequiredText,
            user_session_id: RequiredText,
            publisher_type: Text,
            roles: TextList,
            /// Absent values are sent as `null`, as Stream sends them.
            joined_at: Timestamp,
            left_at: Timestamp,
            duration_in_seconds: Integer,
        }
    };
}

pub(crate) use participant_session_fields;

/// Every field's name, in the declared order.
macro_rules! field_names {
    ($($(#[$doc:meta])* $name:ident: $kind:ident,)*) => {
        /// The JSON names of a participant session's fields, as declared.
        #[cfg(test)]
        pub(crate) const FIELD_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

participant_session_fields!(field_names);

/// [`SessionFields`], one accessor per field, typed by its kind.
macro_rules! fields_trait {
    (@out [$($out:tt)*]) => {
        /// A participant session's fields, as sent, read from whichever form holds the row:
        /// the owned and borrowed models, the store's rows, the sim's rows. One accessor per
        /// field of `participant_session_fields!`, so that every form answers every field.
        pub trait SessionFields {
            $($out)*
        }
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: RequiredText, $($rest:tt)*) => {
        fields_trait!(@out [$($out)* $(#[$doc])* fn $name(&self) -> &str;] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Text, $($rest:tt)*) => {
        fields_trait!(@out [$($out)*
            /// Empty when absent or `null`.
            $(#[$doc])*
            fn $name(&self) -> &str;
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: TextList, $($rest:tt)*) => {
        fields_trait!(@out [$($out)*
            /// In the order sent; none when absent or `null`.
            $(#[$doc])*
            fn $name(&self) -> impl Iterator<Item = &str>;
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Timestamp, $($rest:tt)*) => {
        fields_trait!(@out [$($out)*
            /// Unix nanoseconds, as sent.
            $(#[$doc])*
            fn $name(&self) -> Option<Nanos>;
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Integer, $($rest:tt)*) => {
        fields_trait!(@out [$($out)* $(#[$doc])* fn $name(&self) -> Option<i64>;] $($rest)*);
    };
    ($($fields:tt)*) => {
        fields_trait!(@out [] $($fields)*);
    };
}

participant_session_fields!(fields_trait);

/// [`SessionFields`] for a model whose members are named and typed as the fields.
macro_rules! fields_of_model {
    (@out $model:ty, [$($out:tt)*]) => {
        impl SessionFields for $model {
            $($out)*
        }
    };
    (@out $model:ty, [$($out:tt)*] $(#[$doc:meta])* $name:ident: RequiredText, $($rest:tt)*) => {
        fields_of_model!(@out $model, [$($out)* fn $name(&self) -> &str { &self.$name }] $($rest)*);
    };
    (@out $model:ty, [$($out:tt)*] $(#[$doc:meta])* $name:ident: Text, $($rest:tt)*) => {
        fields_of_model!(@out $model, [$($out)* fn $name(&self) -> &str { &self.$name }] $($rest)*);
    };
    (@out $model:ty, [$($out:tt)*] $(#[$doc:meta])* $name:ident: TextList, $($rest:tt)*) => {
        fields_of_model!(@out $model, [$($out)*
            fn $name(&self) -> impl Iterator<Item = &str> {
                self.$name.iter().map(AsRef::<str>::as_ref)
            }
        ] $($rest)*);
    };
    (@out $model:ty, [$($out:tt)*] $(#[$doc:meta])* $name:ident: Timestamp, $($rest:tt)*) => {
        fields_of_model!(@out $model, [$($out)*
            fn $name(&self) -> Option<Nanos> { self.$name }
        ] $($rest)*);
    };
    (@out $model:ty, [$($out:tt)*] $(#[$doc:meta])* $name:ident: Integer, $($rest:tt)*) => {
        fields_of_model!(@out $model, [$($out)*
            fn $name(&self) -> Option<i64> { self.$name }
        ] $($rest)*);
    };
    ([$model:ty] $($fields:tt)*) => {
        fields_of_model!(@out $model, [] $($fields)*);
    };
}

participant_session_fields!(fields_of_model[ParticipantSessionDetails]);
participant_session_fields!(fields_of_model[SessionDetailsRef<'_>]);

#[cfg(test)]
mod tests {
    use super::FIELD_NAMES;
    use crate::api::models::ParticipantSessionDetails;

    #[test]
    fn the_owned_model_writes_every_declared_field_in_order() {
        let row = ParticipantSessionDetails {
            user_id: "u".into(),
            user_session_id: "s".into(),
            publisher_type: "webrtc".into(),
            roles: vec!["user".into()],
            joined_at: Some(1),
            left_at: None,
            duration_in_seconds: None,
        };
        let text = serde_json::to_string(&row).unwrap();
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap();
        let written: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut declared = FIELD_NAMES.to_vec();
        declared.sort_unstable();
        assert_eq!(written, declared);
        let first_keys: Vec<usize> = FIELD_NAMES
            .iter()
            .map(|name| text.find(&format!("\"{name}\":")).unwrap())
            .collect();
        assert!(first_keys.is_sorted(), "{text}");
    }
}
