//! The dashboard state machine: messages in, effects out.

pub mod effect;
pub mod keymap;
pub mod msg;
