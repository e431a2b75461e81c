//! Generates each architecture's flag tables, constants and struct offsets
//! (`Xlat`, in `$OUT_DIR/xlat.rs`) from the data files in `xlat/`:
//! `common.xlat` holds what every architecture shares, `<arch>.xlat` what
//! differs, as strace's `xlat/*.in` do. The format is described at the top of
//! `common.xlat`.

use std::{collections::BTreeMap, fmt::Write as _, fs, path::Path};

/// One `table` of a data file.
#[derive(Clone, Default)]
struct Table {
    zero: Option<String>,
    unknown: Option<String>,
    field: Option<(u64, Vec<(u64, String)>)>,
    bits: Vec<(u64, String)>,
    values: Vec<(u64, String)>,
}

/// What one file, or one architecture (common and its own merged), holds.
#[derive(Clone, Default)]
struct Xlat {
    tables: BTreeMap<String, Table>,
    consts: BTreeMap<String, u64>,
}

fn main() {
    let dir = Path::new("xlat");
    println!("cargo:rerun-if-changed={}", dir.display());
    let common = parse(&dir.join("common.xlat"));
    let mut arches: BTreeMap<String, Xlat> = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("reading analyze/xlat") {
        let path = entry.expect("reading analyze/xlat").path();
        let Some(arch) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if arch == "common" || path.extension().is_none_or(|e| e != "xlat") {
            continue;
        }
        let own = parse(&path);
        let mut merged = common.clone();
        for (name, table) in own.tables {
            if merged.tables.insert(name.clone(), table).is_some() {
                panic!("{}: table {name} is in common.xlat too", path.display());
            }
        }
        merged.consts.extend(own.consts);
        arches.insert(arch.to_owned(), merged);
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("xlat.rs");
    fs::write(out, generate(&arches)).expect("writing xlat.rs");
}

fn parse(path: &Path) -> Xlat {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut xlat = Xlat::default();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let fail = |what: &str| -> ! { panic!("{}:{}: {what}: {line}", path.display(), n + 1) };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [comment, ..] if comment.starts_with('#') => {}
            ["table", name] => {
                if xlat
                    .tables
                    .insert((*name).to_owned(), Table::default())
                    .is_some()
                {
                    fail("a second table of this name");
                }
                current = Some((*name).to_owned());
            }
            ["const", name, value] => {
                xlat.consts.insert(
                    (*name).to_owned(),
                    number(value).unwrap_or_else(|| fail("bad number")),
                );
            }
            [kind, rest @ ..] => {
                let Some(table) = current.as_deref().and_then(|c| xlat.tables.get_mut(c)) else {
                    fail("outside a table")
                };
                // A name may have spaces (`BTRFS_IOC_CLONE or FICLONE`).
                let entry = |value: &str, name: &[&str]| {
                    let value = number(value).unwrap_or_else(|| fail("bad number"));
                    (value, name.join(" "))
                };
                match (*kind, rest) {
                    ("zero", [name]) => table.zero = Some((*name).to_owned()),
                    ("unknown", [name]) => table.unknown = Some((*name).to_owned()),
                    ("field", [mask]) => {
                        let mask = number(mask).unwrap_or_else(|| fail("bad number"));
                        table.field = Some((mask, Vec::new()));
                    }
                    ("field-value", [value, name @ ..]) if !name.is_empty() => {
                        match table.field.as_mut() {
                            Some((_, values)) => values.push(entry(value, name)),
                            None => fail("field-value before field"),
                        }
                    }
                    ("bit", [value, name @ ..]) if !name.is_empty() => {
                        table.bits.push(entry(value, name));
                    }
                    ("value", [value, name @ ..]) if !name.is_empty() => {
                        table.values.push(entry(value, name));
                    }
                    _ => fail("unknown line"),
                }
            }
        }
    }
    xlat
}

/// `0x1f`, `0o755`, `42` or `-6` (as a 64-bit two's complement).
fn number(text: &str) -> Option<u64> {
    if let Some(negative) = text.strip_prefix('-') {
        return number(negative).map(|n| n.wrapping_neg());
    }
    if let Some(hex) = text.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        u64::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

fn generate(arches: &BTreeMap<String, Xlat>) -> String {
    let mut out =
        String::from("// Generated by analyze/build.rs from analyze/xlat/*.xlat: edit those.\n\n");
    let first = arches
        .values()
        .next()
        .expect("no <arch>.xlat in analyze/xlat");
    for (arch, xlat) in arches {
        if !xlat.tables.keys().eq(first.tables.keys())
            || !xlat.consts.keys().eq(first.consts.keys())
        {
            panic!("{arch}.xlat names other tables or constants than the other architectures");
        }
    }
    out.push_str("/// One architecture's flag and constant tables and struct offsets.\npub struct Xlat {\n    pub arch: &'static str,\n");
    for name in first.tables.keys() {
        let _ = writeln!(out, "    pub {name}: Table,");
    }
    for name in first.consts.keys() {
        let _ = writeln!(out, "    pub {name}: usize,");
    }
    out.push_str("}\n\n");
    for (arch, xlat) in arches {
        let _ = writeln!(
            out,
            "pub static {}: Xlat = Xlat {{\n    arch: {arch:?},",
            arch.to_uppercase()
        );
        for (name, table) in &xlat.tables {
            let _ = writeln!(out, "    {name}: {},", table_literal(table));
        }
        for (name, value) in &xlat.consts {
            let _ = writeln!(out, "    {name}: {value},");
        }
        out.push_str("};\n\n");
    }
    let all: Vec<String> = arches
        .keys()
        .map(|a| format!("&{}", a.to_uppercase()))
        .collect();
    let _ = writeln!(
        out,
        "/// Every architecture's.\npub static ALL: &[&Xlat] = &[{}];",
        all.join(", ")
    );
    out
}

fn table_literal(table: &Table) -> String {
    let entries = |list: &[(u64, String)]| {
        let items: Vec<String> = list
            .iter()
            .map(|(v, n)| format!("({v:#x}, {n:?})"))
            .collect();
        format!("&[{}]", items.join(", "))
    };
    format!(
        "Table {{ zero: {}, unknown: {}, field: {}, bits: {}, values: {} }}",
        table
            .zero
            .as_ref()
            .map_or("None".to_owned(), |z| format!("Some({z:?})")),
        table
            .unknown
            .as_ref()
            .map_or("None".to_owned(), |u| format!("Some({u:?})")),
        table
            .field
            .as_ref()
            .map_or("None".to_owned(), |(mask, values)| format!(
                "Some(({mask:#x}, {}))",
                entries(values)
            )),
        entries(&table.bits),
        entries(&table.values),
    )
}
