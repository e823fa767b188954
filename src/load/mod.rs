//! load: YAML and JSON files into trees with spans, and the Kubernetes objects in them.

pub mod tree;
pub mod yaml;
