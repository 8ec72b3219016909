//! Command-line flags, as typed; `main` turns them into options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use quire::book::Edition;
use quire::config::Format;

#[derive(Debug, Parser)]
#[command(
    name = "quire",
    version,
    about = "Compile a library of Markdown articles into EPUB and PDF books"
)]
pub struct Cli {
    /// The library config [default: ./quire.toml, else ./books/quire.toml].
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long, global = true)]
    pub deny_warnings: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a library in DIR (default: here): a config, a sample article in
    /// English and Chinese, a README. Never overwrites a file.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build books: every volume × edition × format unless narrowed.
    Build(BuildArgs),
    /// Build, then rebuild the volumes a changed article affects (or all of
    /// them when the config, a font or an image changes), until stopped.
    Watch(BuildArgs),
    /// Build and rebuild as `watch` does, and serve the books to a browser
    /// on 127.0.0.1: an index, each EPUB chapter as a reading system shows
    /// it, each PDF; open pages reload after a rebuild.
    Serve(ServeArgs),
    /// List volumes, their chapters per edition, and word/character counts.
    List {
        /// Only this volume (repeatable).
        #[arg(long = "volume", value_name = "ID")]
        volumes: Vec<String>,
    },
    /// Load and render everything, write nothing; fail on errors. Notes
    /// what the build does to the text: phrases converted, and how many
    /// places normalisation changes in each file.
    Check {
        /// List each normalisation change.
        #[arg(long)]
        verbose: bool,
    },
    /// Show the normalisation changes to the Chinese sources; `--write` applies them.
    Fmt {
        /// Rewrite the source files.
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Exit with 1 if any source would change (for CI).
        #[arg(long)]
        check: bool,
    },
}

/// Which books to build, and where.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Only this volume (repeatable).
    #[arg(long = "volume", value_name = "ID")]
    pub volumes: Vec<String>,
    /// Only this edition (repeatable): en, zh-Hant, zh-Hans, bilingual.
    #[arg(long = "edition", value_name = "E", value_parser = parse_edition)]
    pub editions: Vec<Edition>,
    /// This format (repeatable), whatever the volumes' own: epub, pdf, or
    /// print (a print-ready interior and cover).
    #[arg(long = "format", value_name = "F", value_enum)]
    pub formats: Vec<Format>,
    /// Where to write the books.
    #[arg(long, default_value = "build")]
    pub out: PathBuf,
}

/// Where to serve, and which books.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// The port, or the next free one after it; 0: any free port.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// The address to listen on: loopback unless another is given.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Open the index in the default browser.
    #[arg(long)]
    pub open: bool,
}

fn parse_edition(s: &str) -> Result<Edition, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }
}
