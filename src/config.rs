//! `protoguard.toml`: found by walking up from the working directory. This covers the module
//! layout and breaking-rule selection; unknown keys are errors that name the file and line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

pub const FILE_NAME: &str = "protoguard.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the config was read from (not a key).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub module: Module,
    #[serde(default)]
    pub breaking: Breaking,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// The module root, relative to the config file's directory.
    pub root: Option<PathBuf>,
    /// Extra include paths, relative to the config file's directory.
    #[serde(default)]
    pub includes: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Breaking {
    /// Rule IDs or categories to run.
    #[serde(rename = "use", default = "default_use")]
    pub use_: Vec<String>,
    /// Rule IDs or categories not to run.
    #[serde(default)]
    pub except: Vec<String>,
}

impl Default for Breaking {
    fn default() -> Self {
        Breaking {
            use_: default_use(),
            except: Vec::new(),
        }
    }
}

fn default_use() -> Vec<String> {
    vec!["FILE".to_owned()]
}

impl Config {
    /// Finds `protoguard.toml` in `dir` or its ancestors and reads it; the default config if none.
    pub fn discover(dir: &Path) -> Result<Config> {
        for candidate in dir.ancestors() {
            let path = candidate.join(FILE_NAME);
            if path.is_file() {
                return Config::load(&path);
            }
        }
        Ok(Config::default())
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::invalid(format!("{}: cannot read: {err}", path.display())))?;
        let mut config: Config = toml::from_str(&text).map_err(|err| {
            let (line, column) = err
                .span()
                .map(|span| line_column(&text, span.start))
                .unwrap_or((1, 1));
            Error::with_help(
                format!(
                    "{}:{line}:{column}: invalid configuration: {}",
                    path.display(),
                    err.message()
                ),
                "see docs/configuration.md for the keys protoguard.toml accepts",
            )
        })?;
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// The directory relative paths in the config are anchored at.
    pub fn dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
