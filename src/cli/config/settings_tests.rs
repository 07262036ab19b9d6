use std::collections::HashMap;
use std::path::Path;

use super::*;
use crate::cli::exit::ExitKind;

const PATH: &str = "/cfg/headcount.toml";

fn file(text: &str) -> LoadedFile {
    LoadedFile {
        path: Some(PATH.into()),
        exists: true,
        config: crate::cli::config::file::FileConfig::parse(text, Path::new(PATH)).unwrap(),
    }
}

fn no_file() -> LoadedFile {
    LoadedFile {
        path: Some(PATH.into()),
        ..LoadedFile::default()
    }
}

fn resolve_with(
    overrides: &Overrides,
    vars: &[(&str, &str)],
    file: &LoadedFile,
) -> Result<Resolved, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    resolve(overrides, &|name| vars.get(name).cloned(), file)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn profile(name: &str) -> Source {
    Source::Profile(name.to_owned())
}

fn env(name: &str) -> Source {
    Source::Env(name.to_owned())
}

const PROD: &str = r#"
tz = "Europe/Paris"
interval = 10
late_grace = "2m"
early_grace = "3m"
reconnect_gap = "30s"
present_threshold = 90
theme = "mono"

[profiles.prod]
base_url = "https://prod.example.com"
api_key = "prod-key"
api_secret = "prod-secret"
"#;

fn prod_flag() -> Overrides {
    Overrides {
        profile: Some("prod".into()),
        ..Overrides::default()
    }
}

#[test]
fn built_in_defaults_apply_when_nothing_is_configured() {
    let resolved = resolve_with(&Overrides::default(), &[], &no_file()).unwrap();
    assert_eq!(
        resolved.base_url,
        Sourced::new(DEFAULT_BASE_URL.to_owned(), Source::Default)
    );
    assert_eq!(
        resolved.tz,
        Sourced::new("local".to_owned(), Source::Default)
    );
    assert_eq!(resolved.interval, Sourced::new(secs(5), Source::Default));
    assert_eq!(
        resolved.late_grace,
        Sourced::new(secs(300), Source::Default)
    );
    assert_eq!(
        resolved.early_grace,
        Sourced::new(secs(300), Source::Default)
    );
    assert_eq!(
        resolved.reconnect_gap,
        Sourced::new(secs(60), Source::Default)
    );
    assert_eq!(
        resolved.present_threshold,
        Sourced::new(PresentThreshold::DEFAULT, Source::Default)
    );
    assert_eq!(
        resolved.theme,
        Sourced::new(Theme::Default, Source::Default)
    );
    assert_eq!((resolved.api_key, resolved.api_secret), (None, None));
    assert_eq!(resolved.profile, None);
}

#[test]
fn base_url_flag_beats_env_beats_profile_beats_default() {
    let file = file(PROD);
    let env_url = [(ENV_BASE_URL, "http://env.example.com/")];
    let flag = Overrides {
        base_url: Some("http://flag.example.com".into()),
        ..prod_flag()
    };
    let cases = [
        (
            &flag,
            &env_url[..],
            "http://flag.example.com",
            Source::Flag("--base-url"),
        ),
        (
            &prod_flag(),
            &env_url[..],
            "http://env.example.com",
            env(ENV_BASE_URL),
        ),
        (
            &prod_flag(),
            &[][..],
            "https://prod.example.com",
            profile("prod"),
        ),
    ];
    for (overrides, vars, url, source) in cases {
        let resolved = resolve_with(overrides, vars, &file).unwrap();
        assert_eq!(resolved.base_url, Sourced::new(url.to_owned(), source));
    }
}

#[test]
fn credentials_env_beats_profile() {
    let file = file(PROD);
    let vars = [(ENV_API_KEY, "env-key"), (ENV_API_SECRET, "env-secret")];
    let from_env = resolve_with(&prod_flag(), &vars, &file).unwrap();
    assert_eq!(
        from_env.api_key,
        Some(Sourced::new("env-key".to_owned(), env(ENV_API_KEY)))
    );
    assert_eq!(
        from_env.api_secret,
        Some(Sourced::new(
            ApiSecret::new("env-secret"),
            env(ENV_API_SECRET)
        ))
    );
    let from_file = resolve_with(&prod_flag(), &[], &file).unwrap();
    assert_eq!(
        from_file.api_key,
        Some(Sourced::new("prod-key".to_owned(), profile("prod")))
    );
    assert_eq!(
        from_file.api_secret,
        Some(Sourced::new(ApiSecret::new("prod-secret"), profile("prod")))
    );
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let vars = [(ENV_API_KEY, ""), (ENV_API_SECRET, " "), (ENV_BASE_URL, "")];
    let resolved = resolve_with(&prod_flag(), &vars, &file(PROD)).unwrap();
    assert_eq!(resolved.api_key.unwrap().source, profile("prod"));
    assert_eq!(resolved.api_secret.unwrap().source, profile("prod"));
    assert_eq!(resolved.base_url.source, profile("prod"));
}

#[test]
fn invalid_base_url_in_the_environment_is_a_config_error() {
    let err =
        resolve_with(&Overrides::default(), &[(ENV_BASE_URL, "nope")], &no_file()).unwrap_err();
    assert!(err.to_string().contains("invalid STREAM_BASE_URL"), "{err}");
}

#[test]
fn display_settings_flag_beats_file_beats_default() {
    let flags = Overrides {
        tz: Some("UTC".into()),
        interval: Some(secs(1)),
        late_grace: Some(secs(11)),
        early_grace: Some(secs(12)),
        reconnect_gap: Some(secs(13)),
        theme: Some(Theme::Default),
        ..Overrides::default()
    };
    let from_flags = resolve_with(&flags, &[], &file(PROD)).unwrap();
    assert_eq!(
        from_flags.tz,
        Sourced::new("UTC".to_owned(), Source::Flag("--tz"))
    );
    assert_eq!(
        from_flags.interval,
        Sourced::new(secs(1), Source::Flag("--interval"))
    );
    assert_eq!(
        from_flags.late_grace,
        Sourced::new(secs(11), Source::Flag("--late-grace"))
    );
    assert_eq!(
        from_flags.early_grace,
        Sourced::new(secs(12), Source::Flag("--early-grace"))
    );
    assert_eq!(
        from_flags.reconnect_gap,
        Sourced::new(secs(13), Source::Flag("--reconnect-gap"))
    );
    assert_eq!(
        from_flags.theme,
        Sourced::new(Theme::Default, Source::Flag("--theme"))
    );

    let from_file = resolve_with(&Overrides::default(), &[], &file(PROD)).unwrap();
    assert_eq!(
        from_file.tz,
        Sourced::new("Europe/Paris".to_owned(), Source::File)
    );
    assert_eq!(from_file.interval, Sourced::new(secs(10), Source::File));
    assert_eq!(from_file.late_grace, Sourced::new(secs(120), Source::File));
    assert_eq!(from_file.early_grace, Sourced::new(secs(180), Source::File));
    assert_eq!(
        from_file.reconnect_gap,
        Sourced::new(secs(30), Source::File)
    );
    assert_eq!(from_file.theme, Sourced::new(Theme::Mono, Source::File));
    assert_eq!(from_file.present_threshold.value.percent(), 90.0);
    assert_eq!(from_file.present_threshold.source, Source::File);
    let flag = Overrides {
        present_threshold: Some(PresentThreshold::parse("60%").unwrap()),
        ..Overrides::default()
    };
    let from_flag = resolve_with(&flag, &[], &file(PROD)).unwrap();
    assert_eq!(
        from_flag.present_threshold.source,
        Source::Flag("--present-threshold")
    );
}

const TWO_PROFILES: &str = r#"
default_profile = "a"
[profiles.a]
api_key = "key-a"
[profiles.b]
api_key = "key-b"
"#;

#[test]
fn profile_is_chosen_by_flag_then_env_then_default_profile() {
    let file = file(TWO_PROFILES);
    let flag_b = Overrides {
        profile: Some("b".into()),
        ..Overrides::default()
    };
    let env_b = [(ENV_PROFILE, "b")];
    let cases = [
        (
            &flag_b,
            &[(ENV_PROFILE, "a")][..],
            "b",
            Source::Flag("--profile"),
        ),
        (&Overrides::default(), &env_b[..], "b", env(ENV_PROFILE)),
        (&Overrides::default(), &[][..], "a", Source::File),
    ];
    for (overrides, vars, name, source) in cases {
        let resolved = resolve_with(overrides, vars, &file).unwrap();
        assert_eq!(
            resolved.profile,
            Some(Sourced::new(name.to_owned(), source))
        );
        assert_eq!(resolved.api_key.unwrap().value, format!("key-{name}"));
    }
}

#[test]
fn without_any_choice_no_profile_is_used() {
    let file = file("[profiles.a]\napi_key = \"key-a\"\n");
    let resolved = resolve_with(&Overrides::default(), &[], &file).unwrap();
    assert_eq!((resolved.profile, resolved.api_key), (None, None));
    assert_eq!(resolved.profiles, ["a"]);
}

#[test]
fn a_profile_named_default_is_used_when_none_is_chosen() {
    let only = file("[profiles.default]\napi_key = \"key-d\"\napi_secret = \"s\"\n");
    let resolved = resolve_with(&Overrides::default(), &[], &only).unwrap();
    assert_eq!(
        resolved.profile,
        Some(Sourced::new("default".to_owned(), Source::Default))
    );
    let settings = resolved.into_settings().unwrap();
    assert_eq!(settings.api_key, "key-d");
    // Beside others, it is still the one used; a choice still wins over it.
    let beside =
        file("[profiles.default]\napi_key = \"key-d\"\n[profiles.b]\napi_key = \"key-b\"\n");
    let resolved = resolve_with(&Overrides::default(), &[], &beside).unwrap();
    assert_eq!(resolved.api_key.unwrap().value, "key-d");
    let chosen = resolve_with(&Overrides::default(), &[(ENV_PROFILE, "b")], &beside).unwrap();
    assert_eq!(chosen.api_key.unwrap().value, "key-b");
}

#[test]
fn unknown_profile_lists_the_known_ones_and_exits_7() {
    let flags = Overrides {
        profile: Some("prdo".into()),
        ..Overrides::default()
    };
    let err = resolve_with(&flags, &[], &file(TWO_PROFILES)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("unknown profile `prdo` (from flag --profile)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("profiles in {PATH}: a, b")),
        "{text}"
    );
    assert_eq!(ExitKind::of(&err.into()).code(), 7);
}

#[test]
fn unknown_profile_without_a_file_says_so() {
    let err = resolve_with(&Overrides::default(), &[(ENV_PROFILE, "x")], &no_file()).unwrap_err();
    assert!(err.to_string().contains("defines no profiles"), "{err}");
}

fn secret_of(profile_body: &str, vars: &[(&str, &str)]) -> Result<Sourced<ApiSecret>, ConfigError> {
    let file = file(&format!("[profiles.p]\napi_key = \"k\"\n{profile_body}\n"));
    let overrides = Overrides {
        profile: Some("p".into()),
        ..Overrides::default()
    };
    Ok(resolve_with(&overrides, vars, &file)?.api_secret.unwrap())
}

#[test]
fn secret_from_each_profile_source() {
    let inline = secret_of("api_secret = \"inline-s\"", &[]).unwrap();
    assert_eq!(
        inline,
        Sourced::new(ApiSecret::new("inline-s"), profile("p"))
    );

    let from_env = secret_of("api_secret_env = \"MY_S\"", &[("MY_S", "env-s")]).unwrap();
    let source = Source::ProfileSecretEnv {
        profile: "p".into(),
        var: "MY_S".into(),
    };
    assert_eq!(from_env, Sourced::new(ApiSecret::new("env-s"), source));

    let from_cmd = secret_of("api_secret_cmd = \"echo cmd-s\"", &[]).unwrap();
    assert_eq!(
        from_cmd,
        Sourced::new(
            ApiSecret::new("cmd-s"),
            Source::ProfileSecretCmd("p".into())
        )
    );
}

#[test]
fn secret_command_is_not_run_when_the_environment_has_the_secret() {
    let secret = secret_of("api_secret_cmd = \"exit 1\"", &[(ENV_API_SECRET, "env-s")]).unwrap();
    assert_eq!(secret.value.expose(), "env-s");
}

#[test]
fn unset_secret_variable_names_profile_and_variable() {
    let err = secret_of("api_secret_env = \"MY_S\"", &[]).unwrap_err();
    assert!(err.to_string().contains("profile `p`") && err.to_string().contains("$MY_S"));
}

#[test]
fn failing_secret_command_names_the_profile_and_hides_the_output() {
    let err = secret_of("api_secret_cmd = \"echo not-this; exit 4\"", &[]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("api_secret_cmd of profile `p` failed"),
        "{text}"
    );
    assert!(text.contains("exit status: 4"), "{text}");
    assert!(!text.contains("not-this"), "{text}");
    assert_eq!(ExitKind::of(&err.into()).code(), 7);
}

#[test]
fn complete_settings_carry_every_value() {
    let settings = resolve_with(&prod_flag(), &[], &file(PROD))
        .unwrap()
        .into_settings()
        .unwrap();
    assert_eq!(settings.base_url, "https://prod.example.com");
    assert_eq!(settings.api_key, "prod-key");
    assert_eq!(settings.api_secret.expose(), "prod-secret");
    assert_eq!(settings.tz, "Europe/Paris");
    assert_eq!(settings.interval, secs(10));
    assert_eq!(settings.theme, Theme::Mono);
    assert_eq!(settings.profile.as_deref(), Some("prod"));
    assert_eq!(settings.config_path.as_deref(), Some(Path::new(PATH)));
    assert!(!format!("{settings:?}").contains("prod-secret"));
}

#[test]
fn missing_credentials_say_how_to_provide_them() {
    let err = resolve_with(&Overrides::default(), &[], &no_file())
        .unwrap()
        .into_settings()
        .unwrap_err();
    let text = err.to_string();
    for needle in [
        "no Stream API key and API secret configured",
        "STREAM_API_KEY",
        "STREAM_API_SECRET",
        "[profiles.NAME]",
        "--profile NAME",
        "headcount config init",
        PATH,
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    assert_eq!(ExitKind::of(&err.into()).code(), 7);
}

#[test]
fn missing_secret_alone_is_named_with_the_profile() {
    let err = resolve_with(
        &Overrides::default(),
        &[(ENV_PROFILE, "a")],
        &file(TWO_PROFILES),
    )
    .unwrap()
    .into_settings()
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no Stream API secret configured"), "{text}");
    assert!(text.contains("profile `a` does not set it"), "{text}");
}

#[test]
fn unselected_profiles_are_pointed_out() {
    let file = file("[profiles.a]\napi_key = \"k\"\n[profiles.b]\napi_key = \"k\"\n");
    let err = resolve_with(&Overrides::default(), &[], &file)
        .unwrap()
        .into_settings()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("defines profiles a, b but none is selected"),
        "{err}"
    );
}
