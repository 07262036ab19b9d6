//! Where the export goes: stdout, or a file replaced atomically.
//!
//! A file is written to a temporary file in the same directory and renamed over the target
//! only once everything was written, so a reader never sees half an export and a failed
//! export leaves neither a partial file nor a damaged previous one.

use std::fs;
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

/// The export's destination, buffered.
pub enum Output {
    Stdout(BufWriter<Stdout>),
    File {
        temp: BufWriter<NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    pub fn stdout() -> Output {
        Output::Stdout(BufWriter::new(io::stdout()))
    }

    /// A temporary file beside `path`; `path` itself is not touched until [`Output::commit`].
    pub fn file(path: &Path) -> anyhow::Result<Output> {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write to the directory {}", dir.display()))?;
        // A file being replaced keeps its permissions; a new one stays private to its owner
        // (attendance is personal data), as the temporary file is created.
        if let Ok(existing) = fs::metadata(path) {
            temp.as_file().set_permissions(existing.permissions())?;
        }
        Ok(Output::File {
            temp: BufWriter::new(temp),
            path: path.to_owned(),
        })
    }

    /// Makes the export visible: flushes stdout, or syncs the file and renames it into place.
    pub fn commit(self) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::File { temp, path } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                temp.as_file().sync_all()?;
                temp.persist(&path)
                    .with_context(|| format!("cannot replace {}", path.display()))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { temp, .. } => temp.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_target_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "previous\n").unwrap();
        let mut output = Output::file(&path).unwrap();
        output.write_all(b"new\n").unwrap();
        output.flush().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "previous\n");
        output.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(entries(dir.path()), ["export.csv"]);
    }

    #[test]
    fn an_abandoned_export_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let mut output = Output::file(&path).unwrap();
        output.write_all(b"half").unwrap();
        drop(output);
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_missing_directory_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("export.csv");
        let err = Output::file(&path).err().expect("no directory");
        assert!(format!("{err:#}").contains("no-such-dir"), "{err:#}");
    }
}
