//! helm: render a chart with the user's Helm binary the way Argo CD does, and map what
//! it rendered back to the chart's files.
//!
//! - [`template_args`]: `helm template` with Argo CD's arguments (`util/helm/cmd.go`,
//!   `reposerver/repository/repository.go`).

mod args;

pub use args::{HelmFileParameter, HelmOptions, HelmParameter, envsubst, template_args};
