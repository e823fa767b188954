//! Tests of the ApplicationSet expansion, modelled on Argo CD's documentation examples.

mod fasttemplate;
mod gotemplate;
