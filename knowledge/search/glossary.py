"""A small multilingual glossary of the domain (EN / ID / IT) for lexical query expansion.

People ask in Italian or Indonesian about documents written in English (and the other way round), and the bundled
embedder is English-only, so the lexical side bridges the languages: a query term that belongs to a concept group
also searches, at a lower weight, for the group's other words. Groups are concepts, not stems; keep them to words
that mean the same thing in this domain (a word in two groups gets both).
"""

from functools import lru_cache

from knowledge.search.tokens import tokenize

EXPANSION_WEIGHT = 0.5

CONCEPTS = """
visa visas visto visti
fine fines penalty penalties denda multa multe sanzione sanzioni
overstay overstaying overstayed
permit permits izin permesso permessi
residence residency reside tinggal domisili residenza soggiorno
retirement retiree retirees pensioner pensiun lansia pensionato pensionati pensione
spouse married marriage wife husband istri suami menikah perkawinan kawin coniuge moglie marito sposato sposata matrimonio
work working employment job bekerja kerja pekerjaan lavoro lavorare lavorativo
sponsor sponsors penjamin garante
deportation deported deport deportasi espulsione espulso
extension extend extended perpanjangan memperpanjang diperpanjang proroga prorogare rinnovo rinnovare
passport paspor passaporto
immigration imigrasi immigrazione
permanent tetap permanente
foreigner foreigners foreign asing straniero stranieri straniera straniere
investor investors investment invest investasi penanaman investimento investimenti investitore investire
requirements requirement documents dokumen persyaratan syarat documenti requisiti
day days hari giorno giorni
cost costs price prices fee fees biaya harga tarif costo costi prezzo prezzi tariffa
pay payment paid bayar membayar pembayaran pagare pagamento paga
refund refunds pengembalian rimborso rimborsi
tax taxes taxation pajak imposta imposte tassa tasse fiscale
income penghasilan pendapatan reddito redditi
rate rates tarif aliquota aliquote
company companies corporate corporation perusahaan perseroan societa azienda aziende impresa
deadline deadlines batas tenggat scadenza scadenze termine
vat ppn iva
withholding withheld pemotongan dipotong ritenuta ritenute
treaty treaties p3b trattato convenzione
dividend dividends dividen dividendo dividendi
salary salaries wage wages gaji upah stipendio stipendi salario
land tanah terreno terreni
house home houses rumah casa
buy buying purchase beli membeli pembelian comprare acquisto acquistare
ownership own owner owners milik kepemilikan pemilik proprieta proprietario
lease leasehold rent rental renting sewa menyewa affitto locazione affittare
certificate certificates sertifikat certificato
building bangunan edificio edilizio costruzione
zoning zonasi zona zonizzazione
notary notaris notaio
nominee nominees prestanome
capital modal capitale
shareholder shareholders shares share saham pemegang azionista azionisti azioni socio soci
director directors direksi direktur amministratore amministratori
commissioner commissioners komisaris commissario commissari
deed akta atto
license licence licences licenses licensing perizinan licenza licenze autorizzazione
business usaha bisnis attivita commerciale
law laws undang legge leggi
regulation regulations peraturan regolamento normativa
criminal pidana penale
adultery cohabitation zina perzinaan kohabitasi adulterio convivenza
restaurant restaurants restoran ristorante ristoranti
consulting consultancy consultant advice advisory konsultan konsultasi consulenza consulente consulenti
employee employees karyawan pegawai dipendente dipendenti
ceremony ceremonies upacara cerimonia cerimonie
cremation cremations ngaben kremasi cremazione
temple temples pura tempio templi
silence nyepi silenzio
prohibited forbidden banned prohibition prohibitions larangan dilarang vietato vietati divieto divieti
offering offerings canang banten offerta offerte
etiquette etika galateo
village villages desa villaggio
clothing dress pakaian abbigliamento
bank banking rekening banca conto
insurance asuransi assicurazione
children child anak figli figlio
citizenship kewarganegaraan cittadinanza
tourist tourists turis wisatawan turista turisti
levy pungutan
"""


@lru_cache(maxsize=1)
def _groups_by_term() -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = {}
    for line in CONCEPTS.strip().splitlines():
        terms = tuple(dict.fromkeys(tokenize(line)))
        for term in terms:
            groups.setdefault(term, set()).update(terms)
    return {term: tuple(sorted(members)) for term, members in groups.items()}


def expand(terms: list[str]) -> dict[str, float]:
    """Query terms with weight 1.0, plus their glossary equivalents at EXPANSION_WEIGHT."""
    weights = dict.fromkeys(terms, 1.0)
    groups = _groups_by_term()
    for term in terms:
        for other in groups.get(term, ()):
            weights.setdefault(other, EXPANSION_WEIGHT)
    return weights
