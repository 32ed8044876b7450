//! Names that many nodes repeat (sites, groups), each held once: a node keeps a
//! [`Symbol`] where it would keep a copy of the name.

use foldhash::HashMap;

use crate::model::values;

/// The index of a name in [`Symbols`].
pub(super) type Symbol = u32;

#[derive(Default)]
pub(super) struct Symbols {
    index: HashMap<String, Symbol>,
    names: Vec<String>,
    /// By the symbol of a text: the text as a name, once it was checked.
    checked: Vec<Option<Result<Symbol, String>>>,
}

impl Symbols {
    pub(super) fn intern(&mut self, name: &str) -> Symbol {
        if let Some(&symbol) = self.index.get(name) {
            return symbol;
        }
        // More distinct names than a u32 counts cannot come from a file topoc reads.
        let symbol = Symbol::try_from(self.names.len()).unwrap_or(Symbol::MAX);
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), symbol);
        symbol
    }

    /// `text` as a name ([`values::name`]: checked and folded), interned. A text many nodes
    /// repeat is checked once.
    pub(super) fn checked_name(&mut self, text: &str) -> Result<Symbol, String> {
        let raw = self.intern(text) as usize;
        if let Some(Some(done)) = self.checked.get(raw) {
            return done.clone();
        }
        let done = values::name(text).map(|folded| self.intern(&folded));
        if self.checked.len() <= raw {
            self.checked.resize(raw + 1, None);
        }
        self.checked[raw] = Some(done.clone());
        done
    }

    pub(super) fn name(&self, symbol: Symbol) -> &str {
        &self.names[symbol as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.names.len()
    }
}
