//! Where an export goes: stdout, a file replaced at once when complete, or something that is not
//! a file (a FIFO, a terminal, a device), written as the records come.
//!
//! A file is written to a temporary file in the same directory (private to its owner, as the
//! export holds personal data) and renamed over the target only once everything was written,
//! so a reader never sees half an export and a failed or interrupted export leaves neither a
//! partial file nor a damaged previous one: the temporary file removes itself when dropped. A
//! file being replaced keeps its permissions; a symbolic link is followed and its target
//! replaced, the link kept. A FIFO or a device cannot be replaced, only written to: what was
//! written before a failure stays written, as on stdout.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Seek, Stdout, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use tempfile::NamedTempFile;

/// What `-o PATH` names, looked at before anything is written.
#[derive(Debug)]
pub(crate) enum Destination {
    /// A regular file, or none yet: `path` (symbolic links resolved) is replaced when complete.
    Replace {
        path: PathBuf,
        /// The permissions of the file being replaced; a new file is readable by its owner only.
        keep: Option<Permissions>,
    },
    /// A FIFO, a terminal or a device, opened for writing.
    Stream(File),
    /// `-o -`: standard output, as the convention of command lines has it (never a file
    /// named `-`).
    Stdout,
}

impl Destination {
    /// Looks at `path`. Opening a FIFO waits for its reader, as any writer does.
    pub(crate) fn of(path: &Path) -> anyhow::Result<Destination> {
        if path == Path::new("-") {
            return Ok(Destination::Stdout);
        }
        let shown = path.display();
        match fs::metadata(path) {
            Ok(found) if found.is_dir() => {
                bail!("{shown} is a directory: name the file to write, such as {shown}/export.csv")
            }
            Ok(found) if found.is_file() => Ok(Destination::Replace {
                path: fs::canonicalize(path).with_context(|| format!("cannot resolve {shown}"))?,
                keep: Some(found.permissions()),
            }),
            Ok(_) => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot write to {shown}"))?;
                Ok(Destination::Stream(file))
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if let Ok(target) = fs::read_link(path) {
                    bail!(
                        "{shown} is a link to {}, which does not exist: \
                         name the file to write instead",
                        target.display()
                    );
                }
                Ok(Destination::Replace {
                    path: path.to_owned(),
                    keep: None,
                })
            }
            Err(err) => Err(err).with_context(|| format!("cannot write to {shown}")),
        }
    }
}

/// The export's destination, buffered.
pub(crate) enum Output {
    Stdout(BufWriter<Stdout>),
    Replace {
        temp: BufWriter<NamedTempFile>,
        path: PathBuf,
    },
    Stream(BufWriter<File>),
}

impl Output {
    pub(crate) fn stdout() -> Output {
        Output::Stdout(BufWriter::new(io::stdout()))
    }

    /// Starts writing to `destination`: for a file, a temporary file beside it (the file itself
    /// is not touched until [`Output::commit`]).
    pub(crate) fn to(destination: Destination) -> anyhow::Result<Output> {
        match destination {
            Destination::Stream(file) => Ok(Output::Stream(BufWriter::new(file))),
            Destination::Stdout => Ok(Output::stdout()),
            Destination::Replace { path, keep } => {
                let dir = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                // Created readable by its owner only, whatever the umask.
                let temp = NamedTempFile::new_in(dir)
                    .with_context(|| format!("cannot write to the directory {}", dir.display()))?;
                if let Some(permissions) = keep {
                    temp.as_file().set_permissions(permissions)?;
                }
                Ok(Output::Replace {
                    temp: BufWriter::new(temp),
                    path,
                })
            }
        }
    }

    /// Whether the export goes to a terminal (stdout, or `-o /dev/tty`), where the server's
    /// text must not reach as controls.
    pub(crate) fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        match self {
            Output::Stdout(out) => out.get_ref().is_terminal(),
            Output::Stream(out) => out.get_ref().is_terminal(),
            Output::Replace { .. } => false,
        }
    }

    /// Whether the export goes to a file replaced when complete, which can still be rewritten
    /// before anyone sees it (not stdout, not a FIFO or a device).
    pub(crate) fn is_replaced_file(&self) -> bool {
        matches!(self, Output::Replace { .. })
    }

    /// Replaces a file's contents, not yet committed, with what `copy` writes from them to a
    /// second temporary file beside it. Anything else is handed back unchanged.
    pub(crate) fn rewrite(
        self,
        copy: impl FnOnce(&mut dyn io::Read, &mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<Output> {
        let Output::Replace { temp, path } = self else {
            return Ok(self);
        };
        let mut first = temp
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        first.as_file_mut().rewind()?;
        let second = NamedTempFile::new_in(first.path().parent().unwrap_or(Path::new(".")))?;
        second
            .as_file()
            .set_permissions(first.as_file().metadata()?.permissions())?;
        let mut second = BufWriter::new(second);
        copy(&mut io::BufReader::new(first.as_file_mut()), &mut second)?;
        Ok(Output::Replace { temp: second, path })
    }

    /// Makes the export complete: flushes stdout or the stream, or syncs the file and renames
    /// it into place.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::Stream(mut out) => Ok(out.flush()?),
            Output::Replace { temp, path } => {
                let temp = temp
                    .into_inner()
                    .map_err(std::io::IntoInnerError::into_error)?;
                temp.as_file().sync_all()?;
                temp.persist(&path)
                    .map_err(|e| e.error)
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
            Output::Replace { temp, .. } => temp.write(buf),
            Output::Stream(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Replace { temp, .. } => temp.flush(),
            Output::Stream(out) => out.flush(),
        }
    }
}

/// Writes `contents` to `path` as `-o` does: a file is replaced at once, a FIFO or a device is
/// written to.
pub(crate) fn write_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut output = Output::to(Destination::of(path)?)?;
    output.write_all(contents)?;
    output.commit()
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

    fn file_output(path: &Path) -> Output {
        Output::to(Destination::of(path).unwrap()).unwrap()
    }

    #[test]
    fn the_target_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "previous\n").unwrap();
        let mut output = file_output(&path);
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
        let mut output = file_output(&path);
        output.write_all(b"half").unwrap();
        drop(output);
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_rewrite_replaces_the_uncommitted_contents_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "previous\n").unwrap();
        let mut output = file_output(&path);
        output.write_all(b"one\ntwo\n").unwrap();
        let output = output
            .rewrite(|from, to| {
                let mut text = String::new();
                from.read_to_string(&mut text)?;
                to.write_all(text.replace("one", "ONE").as_bytes())
            })
            .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "previous\n");
        output.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "ONE\ntwo\n");
        assert_eq!(entries(dir.path()), ["export.csv"]);
    }

    #[test]
    fn a_missing_directory_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("export.csv");
        let err = Output::to(Destination::of(&path).unwrap())
            .err()
            .expect("no directory");
        assert!(format!("{err:#}").contains("no-such-dir"), "{err:#}");
    }

    #[test]
    fn a_directory_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let err = Destination::of(dir.path()).unwrap_err();
        assert!(format!("{err:#}").contains("is a directory"), "{err:#}");
        assert!(entries(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_private_and_a_replaced_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new.csv");
        write_file(&new, b"x\n").unwrap();
        assert_eq!(mode(&new), 0o600);
        let shared = dir.path().join("shared.csv");
        fs::write(&shared, "old\n").unwrap();
        fs::set_permissions(&shared, Permissions::from_mode(0o640)).unwrap();
        write_file(&shared, b"new\n").unwrap();
        assert_eq!(mode(&shared), 0o640);
        assert_eq!(fs::read_to_string(&shared).unwrap(), "new\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_replaces_the_target_and_stays_a_link() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let target_dir = dir.path().join("data");
        fs::create_dir(&target_dir).unwrap();
        let target = target_dir.join("attendance.csv");
        fs::write(&target, "old\n").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("latest.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_file(&link, b"new\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), target);
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        assert_eq!(entries(&target_dir), ["attendance.csv"]);
        assert_eq!(entries(dir.path()), ["data", "latest.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("latest.csv");
        std::os::unix::fs::symlink(dir.path().join("gone.csv"), &link).unwrap();
        let err = Destination::of(&link).unwrap_err();
        assert!(format!("{err:#}").contains("does not exist"), "{err:#}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_to_not_replaced() {
        let null = Path::new("/dev/null");
        assert!(matches!(
            Destination::of(null).unwrap(),
            Destination::Stream(_)
        ));
        write_file(null, b"discarded\n").unwrap();
        assert!(!fs::metadata(null).unwrap().is_file());
    }
}
