//! The dashboard state machine: messages in, effects out.

pub mod keymap;
