//! Errors that stop a check from running (exit code 2). Each says what went wrong, where (file and
//! line when there is one) and what to do about it.

use miette::Diagnostic;

/// A check that could not run. Rendered by the reporter; maps to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments, bad configuration or bad input: one paragraph with a remedy.
    #[error("{message}")]
    Invalid {
        message: String,
        help: Option<String>,
    },
    /// A revision does not compile. Each diagnostic carries its own source and span.
    #[error("{} does not compile", revision)]
    Compile {
        revision: String,
        diagnostics: Vec<Box<dyn Diagnostic + Send + Sync>>,
    },
    /// Both revisions failed to compile.
    #[error("neither revision compiles")]
    Multiple(Vec<Error>),
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
