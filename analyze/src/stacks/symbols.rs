//! What names a frame in one file: its function symbols, chosen as libdw
//! (strace -k) chooses them, and with `-kk` its source lines. Both come
//! from the file's separate debug file where there is one (found by build
//! id or `.gnu_debuglink`, where gdb and perf look), else from the file.

use std::{
    cell::OnceCell,
    ffi::OsStr,
    io::Read as _,
    os::unix::{ffi::OsStrExt as _, fs::OpenOptionsExt as _},
    path::{Path, PathBuf},
};

use object::{Object as _, ObjectSegment as _, ObjectSymbol as _, SymbolKind};

/// Where distributions put separate debug files.
const DEBUG_ROOT: &str = "/usr/lib/debug";

/// One file's names for its code, by file offset.
pub struct FileSymbols {
    /// (file offset, name), sorted, one per offset.
    functions: Vec<(u64, String)>,
    /// PT_LOAD segments: address, file offset, size in the file.
    loads: Vec<(u64, u64, u64)>,
    /// Where its DWARF is: its debug file, or itself.
    dwarf_path: PathBuf,
    /// Its source lines, read at the first `-kk` lookup.
    lines: OnceCell<Option<addr2line::Loader>>,
}

impl FileSymbols {
    /// The names in the file at `path` (none if it cannot be read).
    pub fn read(path: &Path) -> Self {
        let mut symbols = Self {
            functions: Vec::new(),
            loads: Vec::new(),
            dwarf_path: path.to_owned(),
            lines: OnceCell::new(),
        };
        let Some(data) = read_regular(path) else {
            return symbols;
        };
        let Ok(elf) = object::File::parse(&*data) else {
            return symbols;
        };
        symbols.loads = elf
            .segments()
            .map(|s| {
                let (offset, size) = s.file_range();
                (s.address(), offset, size)
            })
            .collect();
        let debug = debug_file(path, &elf);
        let debug_data = debug.as_deref().and_then(read_regular);
        let debug_elf = debug_data
            .as_deref()
            .and_then(|d| object::File::parse(d).ok());
        // The debug file's full symbol table, else the file's own, else
        // the dynamic one (all a stripped library has), as libdw takes them.
        let tables = [debug_elf.as_ref(), Some(&elf)];
        let functions = tables
            .iter()
            .flatten()
            .map(|elf| symbols.functions_of(elf, false))
            .find(|table| !table.is_empty())
            .unwrap_or_else(|| symbols.functions_of(&elf, true));
        symbols.functions = functions;
        if let Some(debug) = debug {
            symbols.dwarf_path = debug;
        }
        symbols
    }

    /// The function symbols of `elf` (its dynamic ones with `dynamic`), by
    /// file offset: at one offset the one libdw prefers, global over weak
    /// over local, else the first in the table.
    fn functions_of(&self, elf: &object::File<'_>, dynamic: bool) -> Vec<(u64, String)> {
        let table = if dynamic {
            elf.dynamic_symbols()
        } else {
            elf.symbols()
        };
        let mut functions: Vec<(u64, u8, String)> = table
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition())
            .filter_map(|s| {
                let binding = match (s.is_weak(), s.is_global()) {
                    (true, _) => 2,
                    (false, true) => 3,
                    (false, false) => 1,
                };
                // A versioned definition's name (`__libc_start_main@@GLIBC_2.34`)
                // without its version, as the dynamic table has it.
                let name = s.name().ok()?.split('@').next()?;
                (!name.is_empty()).then_some(())?;
                Some((self.offset_of(s.address())?, binding, name.to_owned()))
            })
            .collect();
        // Stable: equals keep the table's order.
        functions.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        functions.dedup_by_key(|f| f.0);
        functions
            .into_iter()
            .map(|(at, _, name)| (at, name))
            .collect()
    }

    /// The file offset of address `address`, as the file's segments lay it.
    fn offset_of(&self, address: u64) -> Option<u64> {
        let &(start, offset, _) = self
            .loads
            .iter()
            .find(|(start, _, size)| (*start..start + size).contains(&address))?;
        Some(address - start + offset)
    }

    /// The address file offset `offset` has, as the file's segments lay it.
    fn address_of(&self, offset: u64) -> Option<u64> {
        let &(start, at, _) = self
            .loads
            .iter()
            .find(|(_, at, size)| (*at..at + size).contains(&offset))?;
        Some(offset - at + start)
    }

    /// The function symbol at or before file offset `offset`, and the
    /// offset past it: the nearest preceding one whatever its size, as
    /// strace -k (libdw) names a frame.
    pub fn function(&self, offset: u64) -> Option<(&str, u64)> {
        let at = self
            .functions
            .partition_point(|(start, _)| *start <= offset);
        let (start, name) = self.functions.get(at.checked_sub(1)?)?;
        Some((name, offset - start))
    }

    /// The source file and line of the code at file offset `offset`, from
    /// the DWARF line tables, where the file or its debug file has them.
    pub fn line(&self, offset: u64) -> Option<(String, u32)> {
        let lines = self
            .lines
            .get_or_init(|| {
                let regular = std::fs::metadata(&self.dwarf_path).is_ok_and(|m| m.is_file());
                regular
                    .then(|| addr2line::Loader::new(&self.dwarf_path).ok())
                    .flatten()
            })
            .as_ref()?;
        let probe = self.address_of(offset)?;
        let location = lines.find_location(probe).ok()??;
        Some((location.file?.to_owned(), location.line?))
    }
}

/// The separate debug file of `elf` (at `path`), if there is one: by build
/// id under /usr/lib/debug/.build-id, else by its `.gnu_debuglink` name
/// beside it, in `.debug/` beside it, or under /usr/lib/debug, its CRC
/// checked.
fn debug_file(path: &Path, elf: &object::File<'_>) -> Option<PathBuf> {
    if let Some(id) = elf.build_id().ok().flatten().filter(|id| id.len() > 1) {
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let by_id = Path::new(DEBUG_ROOT)
            .join(".build-id")
            .join(&hex[..2])
            .join(format!("{}.debug", &hex[2..]));
        if by_id.is_file() {
            return Some(by_id);
        }
    }
    let (name, crc) = elf.gnu_debuglink().ok().flatten()?;
    let name = Path::new(OsStr::from_bytes(name));
    let dir = path.parent()?;
    let under_root = Path::new(DEBUG_ROOT).join(dir.strip_prefix("/").unwrap_or(dir));
    [
        dir.join(name),
        dir.join(".debug").join(name),
        under_root.join(name),
    ]
    .into_iter()
    .filter(|candidate| candidate != path)
    .find(|candidate| std::fs::read(candidate).is_ok_and(|data| crc32fast::hash(&data) == crc))
}

/// The ELF build id of the file at `path` (empty if it has none); `None`
/// if it cannot be read.
pub fn build_id(path: &Path) -> Option<Vec<u8>> {
    let data = read_regular(path)?;
    let elf = object::File::parse(&*data).ok()?;
    Some(elf.build_id().ok().flatten().unwrap_or_default().to_vec())
}

/// Files larger than this are not read for names or unwinding.
const MAX_FILE_BYTES: u64 = 1 << 30;

/// The bytes of the regular file at `path`, if it is one of at most
/// [`MAX_FILE_BYTES`] (opened without waiting): the paths that name frames
/// come from traced programs or recordings and may be anything (a device,
/// a FIFO, a huge file), which must not hang or swamp the recorder (root)
/// or `show`.
pub fn read_regular(path: &Path) -> Option<Vec<u8>> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let stat = file.metadata().ok()?;
    if !stat.is_file() || stat.len() > MAX_FILE_BYTES {
        return None;
    }
    let mut data = Vec::new();
    file.read_to_end(&mut data).ok()?;
    Some(data)
}
