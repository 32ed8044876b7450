//! The codes the front end raises, one file each: syntax, keys, values, names and references
//! that `parse` and `resolve` find before there is a model. Each file declares its code and
//! the constructors that raise it; the registry in `lint::checks` lists them with the rest.

pub mod duplicate_name;
pub mod empty_cluster;
pub mod invalid_value;
pub mod missing_key;
pub mod swg_only_key;
pub mod toml_syntax;
pub mod unknown_key;
pub mod unknown_reference;
