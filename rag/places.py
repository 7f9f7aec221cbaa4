"""Countries (with the adjectives news writes for them) and US states, so that "which country …" is answered by a
country named in a sentence ("an Olympic athlete from Ukraine", "the Ukrainian athlete"), not by any name.

Stage: reading sentences (used by rag/spans.py). Imports nothing of rag."""
import re

# name: adjectives/demonyms that stand for it ("Ukrainian" -> Ukraine). Common English names, as news writes them.
_COUNTRIES = """
Afghanistan: Afghan | Albania: Albanian | Algeria: Algerian | Andorra: Andorran | Angola: Angolan
Argentina: Argentine, Argentinian | Armenia: Armenian | Australia: Australian | Austria: Austrian
Azerbaijan: Azerbaijani | Bahamas: Bahamian | Bahrain: Bahraini | Bangladesh: Bangladeshi | Barbados: Barbadian
Belarus: Belarusian | Belgium: Belgian | Belize: Belizean | Benin: Beninese | Bhutan: Bhutanese
Bolivia: Bolivian | Bosnia and Herzegovina: Bosnian | Botswana: | Brazil: Brazilian | Brunei: | Bulgaria: Bulgarian
Burkina Faso: | Burundi: Burundian | Cambodia: Cambodian | Cameroon: Cameroonian | Canada: Canadian
Cape Verde: | Central African Republic: | Chad: Chadian | Chile: Chilean | China: Chinese | Colombia: Colombian
Comoros: | Congo: Congolese | Democratic Republic of the Congo: | Costa Rica: Costa Rican | Croatia: Croatian
Cuba: Cuban | Cyprus: Cypriot | Czech Republic: Czech, Czechia | Denmark: Danish | Djibouti: | Dominica: |
Dominican Republic: Dominican | Ecuador: Ecuadorian | Egypt: Egyptian | El Salvador: Salvadoran
Equatorial Guinea: | Eritrea: Eritrean | Estonia: Estonian | Eswatini: | Ethiopia: Ethiopian | Fiji: Fijian
Finland: Finnish | France: French | Gabon: | Gambia: | Georgia: Georgian | Germany: German | Ghana: Ghanaian
Greece: Greek | Greenland: Greenlandic | Grenada: | Guatemala: Guatemalan | Guinea: | Guyana: Guyanese
Haiti: Haitian | Honduras: Honduran | Hungary: Hungarian | Iceland: Icelandic | India: Indian
Indonesia: Indonesian | Iran: Iranian | Iraq: Iraqi | Ireland: Irish | Israel: Israeli | Italy: Italian
Ivory Coast: Ivorian | Jamaica: Jamaican | Japan: Japanese | Jordan: Jordanian | Kazakhstan: Kazakh
Kenya: Kenyan | Kosovo: | Kuwait: Kuwaiti | Kyrgyzstan: | Laos: Laotian | Latvia: Latvian | Lebanon: Lebanese
Lesotho: | Liberia: Liberian | Libya: Libyan | Liechtenstein: | Lithuania: Lithuanian | Luxembourg:
Madagascar: | Malawi: | Malaysia: Malaysian | Maldives: | Mali: Malian | Malta: Maltese | Mauritania: |
Mauritius: | Mexico: Mexican | Moldova: Moldovan | Monaco: | Mongolia: Mongolian | Montenegro: | Morocco: Moroccan
Mozambique: | Myanmar: Burmese | Namibia: Namibian | Nepal: Nepali, Nepalese | Netherlands: Dutch
New Zealand: | Nicaragua: Nicaraguan | Niger: | Nigeria: Nigerian | North Korea: | North Macedonia: |
Norway: Norwegian | Oman: Omani | Pakistan: Pakistani | Palestine: Palestinian | Panama: Panamanian
Papua New Guinea: | Paraguay: Paraguayan | Peru: Peruvian | Philippines: Filipino | Poland: Polish
Portugal: Portuguese | Qatar: Qatari | Romania: Romanian | Russia: Russian | Rwanda: Rwandan | Samoa: |
San Marino: | Saudi Arabia: Saudi | Senegal: Senegalese | Serbia: Serbian | Seychelles: | Sierra Leone: |
Singapore: Singaporean | Slovakia: Slovak | Slovenia: Slovenian | Somalia: Somali | South Africa: South African
South Korea: South Korean | South Sudan: | Spain: Spanish | Sri Lanka: Sri Lankan | Sudan: Sudanese
Suriname: | Sweden: Swedish | Switzerland: Swiss | Syria: Syrian | Taiwan: Taiwanese | Tajikistan: |
Tanzania: Tanzanian | Thailand: Thai | Togo: | Tonga: | Trinidad and Tobago: | Tunisia: Tunisian
Turkey: Turkish, Türkiye | Turkmenistan: | Uganda: Ugandan | Ukraine: Ukrainian | United Arab Emirates: Emirati, UAE
United Kingdom: British, UK, Britain, U.K. | United States: American, US, U.S., USA | Uruguay: Uruguayan
Uzbekistan: Uzbek | Vatican City: Vatican | Venezuela: Venezuelan | Vietnam: Vietnamese | Yemen: Yemeni
Zambia: Zambian | Zimbabwe: Zimbabwean | England: English | Scotland: Scottish | Wales: Welsh
"""

US_STATES = [s.replace("_", " ") for s in """
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho
Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri
Montana Nebraska Nevada New_Hampshire New_Jersey New_Mexico New_York North_Carolina North_Dakota Ohio Oklahoma Oregon
Pennsylvania Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia Washington West_Virginia
Wisconsin Wyoming""".split()]


def _countries() -> dict[str, str]:
    """Every way of naming a country (name or adjective) -> its name."""
    out = {}
    for entry in re.split(r"\s*\|\s*|\n", _COUNTRIES.strip()):
        if not entry.strip():
            continue
        name, _, forms = entry.partition(":")
        name = name.strip()
        out[name] = name
        for form in forms.split(","):
            if form.strip():
                out[form.strip()] = name
    return out


COUNTRIES = _countries()
_PLACE_ASK = re.compile(r"\b(?:which|what|in what|from what)\s+(?:(?P<region>[A-Z][\w-]*(?:\s[A-Z][\w-]*)?)\s+)?"
                        r"(?P<kind>country|nation|state)\b", re.I)


def place_kind(question: str) -> str | None:
    """'country' for "which (European) country/nation …", 'us-state' for "which (US) state …", else None."""
    m = _PLACE_ASK.search(question)
    if not m:
        return None
    return "country" if m.group("kind").lower() in ("country", "nation") else "us-state"


def places_in(sentence: str, kind: str) -> list[tuple[str, int]]:
    """(place name, position) for every country (by name or adjective) or US state the sentence names."""
    names, pattern = _patterns()[kind]
    return [(names[m.group()], m.start()) for m in pattern.finditer(sentence)]


_PATTERNS = {}


def _patterns() -> dict:
    """kind -> (form -> name, one regex of every form, longest first so "South Korea" wins over a shorter form)."""
    if not _PATTERNS:
        for kind, names in (("country", COUNTRIES), ("us-state", {s: s for s in US_STATES})):
            forms = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True))
            _PATTERNS[kind] = names, re.compile(rf"(?<![\w.])(?:{forms})(?!\w)")
    return _PATTERNS
