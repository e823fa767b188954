//! Tests against real Git repositories built in temporary folders.

mod changes;
mod detect;
mod fixture;
mod guard;
mod tree;
