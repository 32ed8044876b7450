//! Names that many nodes repeat (sites, groups), each held once: a node keeps a
//! [`Symbol`] where it would keep a copy of the name.

use foldhash::HashMap;

/// The index of a name in [`Symbols`].
pub(super) type Symbol = u32;

#[derive(Default)]
pub(super) struct Symbols {
    index: HashMap<String, Symbol>,
    names: Vec<String>,
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

    pub(super) fn name(&self, symbol: Symbol) -> &str {
        &self.names[symbol as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.names.len()
    }
}
