//! The `config` and `completions` commands and `--version`, run as the real binary with a clean
//! environment and a config file in a temporary directory.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const EXAMPLE: &str = include_str!("../assets/config.example.toml");
const SECRET: &str = "hc-dont-print-me-4f2a9c";

/// Extra environment variables of one run.
type Vars<'a> = &'a [(&'a str, &'a str)];

/// A temporary home whose config file is named by `HEADCOUNT_CONFIG`.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("nested").join("config.toml")
    }

    fn write_config(&self, text: &str, mode: u32) {
        let path = self.config();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn run(&self, args: &[&str], vars: Vars<'_>) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_headcount"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("HEADCOUNT_CONFIG", self.config())
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        Run::from(output)
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Run {
    fn never_shows(&self, secret: &str) {
        assert!(!self.stdout.contains(secret), "stdout: {}", self.stdout);
        assert!(!self.stderr.contains(secret), "stderr: {}", self.stderr);
    }
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn config_path_prints_the_path_and_whether_it_exists() {
    let sandbox = Sandbox::new();
    let missing = sandbox.run(&["config", "path"], &[]);
    assert_eq!(missing.code, 0);
    assert_eq!(
        missing.stdout.trim_end(),
        sandbox.config().display().to_string()
    );
    assert!(missing.stderr.contains("not found"), "{}", missing.stderr);

    sandbox.write_config("", 0o600);
    let present = sandbox.run(&["config", "path"], &[]);
    assert_eq!(
        present.stdout.trim_end(),
        sandbox.config().display().to_string()
    );
    assert!(present.stderr.contains("exists"), "{}", present.stderr);
}

#[test]
fn config_init_writes_the_private_example_once() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(&["config", "init"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(std::fs::read_to_string(sandbox.config()).unwrap(), EXAMPLE);
    assert_eq!(mode_of(&sandbox.config()), 0o600);

    std::fs::write(sandbox.config(), "tz = \"UTC\"\n").unwrap();
    let second = sandbox.run(&["config", "init"], &[]);
    assert_eq!(second.code, 7);
    assert!(
        second.stderr.contains("already exists"),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("--force"), "{}", second.stderr);
    assert_eq!(
        std::fs::read_to_string(sandbox.config()).unwrap(),
        "tz = \"UTC\"\n"
    );

    std::fs::set_permissions(sandbox.config(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let forced = sandbox.run(&["config", "init", "--force"], &[]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(std::fs::read_to_string(sandbox.config()).unwrap(), EXAMPLE);
    assert_eq!(mode_of(&sandbox.config()), 0o600);
}

#[test]
fn config_show_gives_each_source_and_never_the_secret() {
    let sandbox = Sandbox::new();
    let config = format!(
        "interval = \"10s\"\n[profiles.prod]\napi_key = \"prod-key\"\napi_secret = \"{SECRET}\"\n"
    );
    sandbox.write_config(&config, 0o600);
    let run = sandbox.run(
        &[
            "config",
            "show",
            "--profile",
            "prod",
            "--base-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "profile        prod  (flag --profile)",
        "base_url       http://127.0.0.1:9  (flag --base-url)",
        "api_key        prod-key  (file, profile prod)",
        "api_secret     set  (file, profile prod)",
        "interval       10s  (file)",
        "tz             local  (default)",
        "present_threshold 80%  (default)",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
    run.never_shows(SECRET);
}

#[test]
fn config_show_hides_secrets_from_every_source() {
    let sandbox = Sandbox::new();
    let profiles = format!(
        "[profiles.env]\napi_key = \"k\"\napi_secret_env = \"MY_SECRET\"\n\
         [profiles.cmd]\napi_key = \"k\"\napi_secret_cmd = \"echo {SECRET}\"\n"
    );
    sandbox.write_config(&profiles, 0o644);
    let cases: [(&[&str], Vars<'_>, &str); 3] = [
        (
            &[],
            &[("STREAM_API_KEY", "k"), ("STREAM_API_SECRET", SECRET)],
            "env STREAM_API_SECRET",
        ),
        (
            &["--profile", "env"],
            &[("MY_SECRET", SECRET)],
            "env MY_SECRET, named by profile env",
        ),
        (&["--profile", "cmd"], &[], "api_secret_cmd of profile cmd"),
    ];
    for (flags, vars, source) in cases {
        let args: Vec<&str> = ["config", "show"].iter().chain(flags).copied().collect();
        let run = sandbox.run(&args, vars);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("set  ({source})")),
            "{}",
            run.stdout
        );
        run.never_shows(SECRET);
    }
}

#[test]
fn failing_secret_command_exits_7_naming_the_profile() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "[profiles.vault]\napi_key = \"k\"\napi_secret_cmd = \"echo partial; exit 9\"\n",
        0o600,
    );
    let run = sandbox.run(&["config", "show"], &[("HEADCOUNT_PROFILE", "vault")]);
    assert_eq!(run.code, 7);
    assert!(
        run.stderr
            .contains("api_secret_cmd of profile `vault` failed"),
        "{}",
        run.stderr
    );
    run.never_shows("partial");
}

#[test]
fn readable_config_holding_a_secret_is_refused_with_the_fix() {
    let sandbox = Sandbox::new();
    let config = format!("[profiles.p]\napi_key = \"k\"\napi_secret = \"{SECRET}\"\n");
    sandbox.write_config(&config, 0o644);
    let run = sandbox.run(&["config", "show", "--profile", "p"], &[]);
    assert_eq!(run.code, 7);
    let fix = format!("chmod 600 {}", sandbox.config().display());
    assert!(run.stderr.contains(&fix), "{}", run.stderr);
    run.never_shows(SECRET);
}

#[test]
fn unknown_profile_exits_7_listing_the_known_ones() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "[profiles.prod]\napi_key = \"k\"\n[profiles.staging]\n",
        0o600,
    );
    let by_flag = sandbox.run(&["config", "show", "--profile", "prdo"], &[]);
    let by_env = sandbox.run(&["config", "show"], &[("HEADCOUNT_PROFILE", "prdo")]);
    for run in [by_flag, by_env] {
        assert_eq!(run.code, 7);
        assert!(
            run.stderr.contains("unknown profile `prdo`"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("prod, staging"), "{}", run.stderr);
    }
}

#[test]
fn unknown_key_exits_7_with_file_and_line() {
    let sandbox = Sandbox::new();
    sandbox.write_config("tz = \"UTC\"\nthme = \"mono\"\n", 0o600);
    let run = sandbox.run(&["config", "show"], &[]);
    assert_eq!(run.code, 7);
    let location = format!("{}:2:1", sandbox.config().display());
    assert!(run.stderr.contains(&location), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `thme`"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_credentials_exit_7_and_explain_how_to_set_them() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["config", "show"], &[]);
    assert_eq!(run.code, 7);
    assert!(
        run.stdout.contains("api_key        (not set)"),
        "{}",
        run.stdout
    );
    for hint in [
        "STREAM_API_KEY",
        "STREAM_API_SECRET",
        "--profile",
        "headcount config init",
    ] {
        assert!(
            run.stderr.contains(hint),
            "missing {hint:?} in {}",
            run.stderr
        );
    }
}

#[test]
fn bad_flag_value_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["config", "show", "--base-url", "not a url"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid base URL"), "{}", run.stderr);
}

#[test]
fn version_shows_the_config_path_in_use() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["--version"], &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with(&format!("headcount {}", env!("CARGO_PKG_VERSION")))
    );
    let line = format!("config: {} (not found)", sandbox.config().display());
    assert!(run.stdout.contains(&line), "{}", run.stdout);
}

#[test]
fn completions_cover_the_subcommands_in_each_shell() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = sandbox.run(&["completions", shell], &[]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for word in ["headcount", "config", "completions", "init", "show"] {
            assert!(run.stdout.contains(word), "{shell} script lacks {word}");
        }
    }
    assert_eq!(sandbox.run(&["completions", "tcsh"], &[]).code, 2);
}

/// Whether process `pid` has ended (gone, or a zombie waiting for a parent to collect it).
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_secret_command_that_hangs_is_ended_with_its_children_and_exits_7() {
    let sandbox = Sandbox::new();
    let pid_file = sandbox.dir.path().join("child.pid");
    sandbox.write_config(
        &format!(
            "[profiles.vault]\napi_key = \"k\"\n\
             api_secret_cmd = \"sleep 300 & echo $! > '{}'; wait\"\n\
             api_secret_cmd_timeout = \"1s\"\n",
            pid_file.display()
        ),
        0o600,
    );
    let started = std::time::Instant::now();
    let run = sandbox.run(&["config", "show"], &[("HEADCOUNT_PROFILE", "vault")]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.contains("did not finish within 1 s")
            && run.stderr.contains("api_secret_cmd_timeout"),
        "{}",
        run.stderr
    );
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !ended(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(ended(pid), "the command's child {pid} was ended too");
}

#[test]
fn a_secret_command_that_floods_is_ended_and_exits_7() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "[profiles.vault]\napi_key = \"k\"\napi_secret_cmd = \"yes\"\n",
        0o600,
    );
    let run = sandbox.run(&["config", "show"], &[("HEADCOUNT_PROFILE", "vault")]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("more than 64 KiB"), "{}", run.stderr);
    run.never_shows("y\ny");
}

#[test]
fn an_endless_config_file_is_refused_and_a_pipe_still_works() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["config", "show"], &[("HEADCOUNT_CONFIG", "/dev/zero")]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("larger than 1 MiB"), "{}", run.stderr);

    let empty = sandbox.run(&["config", "path"], &[("HEADCOUNT_CONFIG", "/dev/null")]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);

    // As a process substitution (`HEADCOUNT_CONFIG=<(pass show headcount)`) gives it.
    let fifo = sandbox.dir.path().join("config.fifo");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path this test owns.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "tz = \"Asia/Tokyo\"\n").unwrap())
    };
    let piped = sandbox.run(
        &["config", "show"],
        &[
            ("HEADCOUNT_CONFIG", fifo.to_str().unwrap()),
            ("STREAM_API_KEY", "k"),
            ("STREAM_API_SECRET", SECRET),
        ],
    );
    writer.join().unwrap();
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(piped.stdout.contains("Asia/Tokyo"), "{}", piped.stdout);
}

#[test]
fn durations_out_of_their_range_are_usage_errors_that_give_the_range() {
    let sandbox = Sandbox::new();
    for value in ["0", "9223372037", "2h"] {
        let run = sandbox.run(&["watch", "default:x", "--interval", value], &[]);
        assert_eq!(run.code, 2, "{value}: {}", run.stderr);
        assert!(run.stderr.contains("from 1s to 1h"), "{}", run.stderr);
    }
    sandbox.write_config("interval = 9223372037\n", 0o600);
    let run = sandbox.run(&["config", "show"], &[]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("from 1s to 1h"), "{}", run.stderr);
}

#[test]
fn a_bad_value_pasted_with_terminal_controls_is_quoted_escaped() {
    let sandbox = Sandbox::new();
    let pasted = "default:x\u{1b}]0;owned\u{7}\u{202e}";
    let run = sandbox.run(&["totals", pasted, "--session", "s"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!run.stderr.contains(raw), "{raw:?} in {:?}", run.stderr);
    }
    assert!(run.stderr.contains("default:x"), "{}", run.stderr);
    assert!(run.stderr.contains("\\u{202e}"), "{}", run.stderr);
}

#[test]
fn an_os_error_is_said_once() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().to_str().unwrap().to_owned();
    let run = sandbox.run(&["config", "show"], &[("HEADCOUNT_CONFIG", &dir)]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("(os error 21)").count(),
        1,
        "{}",
        run.stderr
    );
}
