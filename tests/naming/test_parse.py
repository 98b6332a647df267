"""`parse_name` on real-world-style names: scene and web releases, Plex/Jellyfin/Kodi libraries, fansubs.

Every row states the whole `to_json()` output (fields not listed are null), so a change anywhere shows.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pytest

from seen.naming import ParsedName, parse_name
from seen.naming.model import JSON_KEYS

NULLS = {key: None for key in JSON_KEYS if key != "input"}

CASES: list[tuple[str, dict[str, Any]]] = [
    # episodes: library layouts
    ("Show Name/Season 01/01.mkv", {"type": "episode", "title": "Show Name", "season": 1, "episode": 1}),
    ("Show/Season 1/Show - 01.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": 1}),
    ("Show (2019)/S01/E03.mkv", {"type": "episode", "title": "Show", "year": 2019, "season": 1, "episode": 3}),
    ("Show/Season 2/3.mkv", {"type": "episode", "title": "Show", "season": 2, "episode": 3}),
    ("Show/Season 2/Episode 3.mkv", {"type": "episode", "title": "Show", "season": 2, "episode": 3}),
    ("Show/Season 02/Ep 07.mkv", {"type": "episode", "title": "Show", "season": 2, "episode": 7}),
    ("Show Name/Season 1/S01E02.mkv", {"type": "episode", "title": "Show Name", "season": 1, "episode": 2}),
    ("Show/Season 00/Show - S00E05 - Special.mkv", {"type": "episode", "title": "Show", "season": 0, "episode": 5}),
    ("Show/Specials/Show - Special Name.mkv", {"type": "episode", "title": "Show", "season": 0}),
    ("Show/Specials/S00E02.mkv", {"type": "episode", "title": "Show", "season": 0, "episode": 2}),
    (
        "Attack on Titan/Season 4/Attack on Titan - S04E28 - The Dawn of Humanity.mkv",
        {"type": "episode", "title": "Attack on Titan", "season": 4, "episode": 28},
    ),
    (
        "Doctor Who (2005)/Season 13/Doctor Who (2005) - S13E01 - The Halloween Apocalypse.mkv",
        {"type": "episode", "title": "Doctor Who", "year": 2005, "season": 13, "episode": 1},
    ),
    (
        "The Flash (2014)/Season 1/The.Flash.2014.S01E01.mkv",
        {"type": "episode", "title": "The Flash", "year": 2014, "season": 1, "episode": 1},
    ),
    (
        "Shameless (US)/Season 01/Shameless.US.S01E01.mkv",
        {"type": "episode", "title": "Shameless (US)", "season": 1, "episode": 1},
    ),
    (
        "/mnt/media/TV/The Office (US)/Season 2/The.Office.US.S02E01.720p.mkv",
        {"type": "episode", "title": "The Office (US)", "season": 2, "episode": 1},
    ),
    (
        "House of the Dragon/Season 2/House.of.the.Dragon.S02E08.2160p.MAX.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX.mkv",
        {"type": "episode", "title": "House of the Dragon", "season": 2, "episode": 8},
    ),
    (
        "Love, Death & Robots/Season 1/Love Death and Robots - S01E01 - Sonnie's Edge.mkv",
        {"type": "episode", "title": "Love, Death & Robots", "season": 1, "episode": 1},
    ),
    (
        "Sherlock/Series 2/Sherlock - 2x03 - The Reichenbach Fall.mkv",
        {"type": "episode", "title": "Sherlock", "season": 2, "episode": 3},
    ),
    (
        "Friends/Season 10/Friends - 10x17-18 - The Last One.avi",
        {"type": "episode", "title": "Friends", "season": 10, "episode": [17, 18]},
    ),
    ("CSI/Season 10/csi.1001.hdtv-lol.avi", {"type": "episode", "title": "CSI", "season": 10, "episode": 1}),
    ("Dark/Staffel 1/Dark - S01E01.mkv", {"type": "episode", "title": "Dark", "season": 1, "episode": 1}),
    (
        "La Casa de Papel/Temporada 2/La Casa de Papel - 2x05.mkv",
        {"type": "episode", "title": "La Casa de Papel", "season": 2, "episode": 5},
    ),
    (
        "Chernobyl.S01.1080p.BluRay.x264-ROVERS/Chernobyl.S01E03.1080p.BluRay.x264-ROVERS.mkv",
        {"type": "episode", "title": "Chernobyl", "season": 1, "episode": 3},
    ),
    ("Fargo.S01.1080p.BluRay/fargo.s01e05.mkv", {"type": "episode", "title": "Fargo", "season": 1, "episode": 5}),
    ("Westworld S02 (2018)/Westworld S02E01.mkv", {"type": "episode", "title": "Westworld", "season": 2, "episode": 1}),
    ("Show.S01E02.720p.HDTV.x264-GRP/abcdef123.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": 2}),
    (
        "C:\\Media\\TV\\Breaking Bad\\Season 5\\Breaking.Bad.S05E14.Ozymandias.1080p.mkv",
        {"type": "episode", "title": "Breaking Bad", "season": 5, "episode": 14},
    ),
    # episodes: scene and web names
    ("Show.S01E02.720p.HDTV.x264-GRP.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": 2}),
    ("show.s01e02.mkv", {"type": "episode", "title": "show", "season": 1, "episode": 2}),
    ("Show 1x02.avi", {"type": "episode", "title": "Show", "season": 1, "episode": 2}),
    ("Show - 102 - Title.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": 2}),
    ("seinfeld.503.dvdrip.avi", {"type": "episode", "title": "seinfeld", "season": 5, "episode": 3}),
    ("Show.S01E01E02.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": [1, 2]}),
    ("Show.S01E01-E03.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": [1, 2, 3]}),
    ("Show S01E01-02.mkv", {"type": "episode", "title": "Show", "season": 1, "episode": [1, 2]}),
    ("Show - 2x03x04.mkv", {"type": "episode", "title": "Show", "season": 2, "episode": [3, 4]}),
    ("Friends.S10E17E18.The.Last.One.mkv", {"type": "episode", "title": "Friends", "season": 10, "episode": [17, 18]}),
    ("Lost.S01E01-E02.Pilot.720p.mkv", {"type": "episode", "title": "Lost", "season": 1, "episode": [1, 2]}),
    ("The.Simpsons.S10E01-E02.mkv", {"type": "episode", "title": "The Simpsons", "season": 10, "episode": [1, 2]}),
    ("Seinfeld.S05.E03.mkv", {"type": "episode", "title": "Seinfeld", "season": 5, "episode": 3}),
    ("Breaking_Bad_S01E01_Pilot.avi", {"type": "episode", "title": "Breaking Bad", "season": 1, "episode": 1}),
    ("Doctor.Who.2005.S01E01.mkv", {"type": "episode", "title": "Doctor Who", "year": 2005, "season": 1, "episode": 1}),
    (
        "Doctor.Who.2005.S13E01.1080p.mkv",
        {"type": "episode", "title": "Doctor Who", "year": 2005, "season": 13, "episode": 1},
    ),
    ("Show.2010.S01E01.mkv", {"type": "episode", "title": "Show", "year": 2010, "season": 1, "episode": 1}),
    (
        "The.Mandalorian.S02E05.Chapter.13.The.Jedi.1080p.DSNP.WEB-DL.DDP5.1.Atmos.H.264-FLUX.mkv",
        {"type": "episode", "title": "The Mandalorian", "season": 2, "episode": 5},
    ),
    (
        "Game.of.Thrones.S08E06.1080p.WEB.H264-MEMENTO[rarbg].mkv",
        {"type": "episode", "title": "Game of Thrones", "season": 8, "episode": 6},
    ),
    (
        "The.Big.Bang.Theory.S12E24.HDTV.x264-LOL.mp4",
        {"type": "episode", "title": "The Big Bang Theory", "season": 12, "episode": 24},
    ),
    (
        "Stranger Things - S04E09 - Chapter Nine - The Piggyback (2160p WEBRip x265 10bit).mkv",
        {"type": "episode", "title": "Stranger Things", "season": 4, "episode": 9},
    ),
    ("Grey's Anatomy S20E01 720p.mkv", {"type": "episode", "title": "Grey's Anatomy", "season": 20, "episode": 1}),
    (
        "Marvel's Agents of S.H.I.E.L.D. S01E01.mkv",
        {"type": "episode", "title": "Marvel's Agents of S.H.I.E.L.D.", "season": 1, "episode": 1},
    ),
    (
        "Love.Death.and.Robots.S01E01.1080p.NF.WEB-DL.mkv",
        {"type": "episode", "title": "Love Death and Robots", "season": 1, "episode": 1},
    ),
    ("Mr. Robot - 1x05 - eps1.4_3xpl0its.wmv.mkv", {"type": "episode", "title": "Mr Robot", "season": 1, "episode": 5}),
    (
        "The.Last.of.Us.S01E03.Long.Long.Time.2160p.HMAX.WEB-DL.x265-GRP.mkv",
        {"type": "episode", "title": "The Last of Us", "season": 1, "episode": 3},
    ),
    (
        "Severance.S02E10.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb.mkv",
        {"type": "episode", "title": "Severance", "season": 2, "episode": 10},
    ),
    (
        "Succession.S04E10.With.Open.Eyes.1080p.AMZN.WEB-DL.mkv",
        {"type": "episode", "title": "Succession", "season": 4, "episode": 10},
    ),
    (
        "The.Bear.S03E01.720p.HULU.WEBRip.x264-GRP.mkv",
        {"type": "episode", "title": "The Bear", "season": 3, "episode": 1},
    ),
    (
        "Only.Murders.in.the.Building.S03E01.mkv",
        {"type": "episode", "title": "Only Murders in the Building", "season": 3, "episode": 1},
    ),
    (
        "Better Call Saul - S06E13 - Saul Gone.mkv",
        {"type": "episode", "title": "Better Call Saul", "season": 6, "episode": 13},
    ),
    ("Tokyo Vice S01E01.mkv", {"type": "episode", "title": "Tokyo Vice", "season": 1, "episode": 1}),
    ("Narcos.Mexico.S03E01.1080p.mkv", {"type": "episode", "title": "Narcos Mexico", "season": 3, "episode": 1}),
    (
        "Star.Trek.Strange.New.Worlds.S02E01.mkv",
        {"type": "episode", "title": "Star Trek Strange New Worlds", "season": 2, "episode": 1},
    ),
    (
        "Ted.Lasso.S03E12.So.Long.Farewell.2160p.mkv",
        {"type": "episode", "title": "Ted Lasso", "season": 3, "episode": 12},
    ),
    ("Peaky Blinders 6x06.mkv", {"type": "episode", "title": "Peaky Blinders", "season": 6, "episode": 6}),
    # date-based shows
    (
        "The.Daily.Show.2024.03.12.Guest.Name.720p.WEB.h264.mkv",
        {"type": "episode", "title": "The Daily Show", "air_date": "2024-03-12"},
    ),
    ("Jeopardy.2024.03.12.mkv", {"type": "episode", "title": "Jeopardy", "air_date": "2024-03-12"}),
    (
        "The Tonight Show Starring Jimmy Fallon 2024 03 12 Guest 720p.mkv",
        {"type": "episode", "title": "The Tonight Show Starring Jimmy Fallon", "air_date": "2024-03-12"},
    ),
    ("Conan.2011-05-12.Guest.mkv", {"type": "episode", "title": "Conan", "air_date": "2011-05-12"}),
    (
        "Last Week Tonight with John Oliver/Season 11/Last.Week.Tonight.with.John.Oliver.2024.03.10.1080p.WEB.h264.mkv",
        {"type": "episode", "title": "Last Week Tonight with John Oliver", "season": 11, "air_date": "2024-03-10"},
    ),
    (
        "The.Late.Show.with.Stephen.Colbert.2023.11.02.Guest.1080p.WEB.mkv",
        {"type": "episode", "title": "The Late Show with Stephen Colbert", "air_date": "2023-11-02"},
    ),
    # anime
    (
        "[SubsPlease] Sousou no Frieren - 12 (1080p) [ABCD1234].mkv",
        {"type": "episode", "title": "Sousou no Frieren", "episode": 12, "absolute_episode": 12},
    ),
    (
        "[Erai-raws] One Piece - 1089 [1080p][Multiple Subtitle].mkv",
        {"type": "episode", "title": "One Piece", "episode": 1089, "absolute_episode": 1089},
    ),
    ("[Group] Title S2 - 03 [720p].mkv", {"type": "episode", "title": "Title", "season": 2, "episode": 3}),
    (
        "[Erai-raws] Jujutsu Kaisen 2nd Season - 04 [1080p][Multiple Subtitle][ABCDEF12].mkv",
        {"type": "episode", "title": "Jujutsu Kaisen", "season": 2, "episode": 4},
    ),
    (
        "[SubsPlease] Kimetsu no Yaiba - Katanakaji no Sato-hen - 05 (1080p) [12345678].mkv",
        {"type": "episode", "title": "Kimetsu no Yaiba - Katanakaji no Sato-hen", "episode": 5, "absolute_episode": 5},
    ),
    (
        "[HorribleSubs] Boruto - 102 [720p].mkv",
        {"type": "episode", "title": "Boruto", "episode": 102, "absolute_episode": 102},
    ),
    (
        "[HorribleSubs] Boku no Hero Academia - 88 [1080p].mkv",
        {"type": "episode", "title": "Boku no Hero Academia", "episode": 88, "absolute_episode": 88},
    ),
    (
        "[Commie] Steins;Gate - 01 [ABCDEF12].mkv",
        {"type": "episode", "title": "Steins;Gate", "episode": 1, "absolute_episode": 1},
    ),
    (
        "[Coalgirls]_Clannad_-_01_(1920x1080_Blu-Ray_FLAC)_[A1B2C3D4].mkv",
        {"type": "episode", "title": "Clannad", "episode": 1, "absolute_episode": 1},
    ),
    (
        "[Nekomoe kissaten][Bocchi the Rock!][01][1080p][CHS].mp4",
        {"type": "episode", "title": "Bocchi the Rock!", "episode": 1, "absolute_episode": 1},
    ),
    (
        "[Judas] Shingeki no Kyojin - S04E01 [1080p][HEVC x265 10bit][Eng-Subs].mkv",
        {"type": "episode", "title": "Shingeki no Kyojin", "season": 4, "episode": 1},
    ),
    ("[Group] Show - 01v2 [1080p].mkv", {"type": "episode", "title": "Show", "episode": 1, "absolute_episode": 1}),
    ("[Group] Show Season 3 - 12 [1080p].mkv", {"type": "episode", "title": "Show", "season": 3, "episode": 12}),
    ("[Group] Show - 12 END [1080p].mkv", {"type": "episode", "title": "Show", "episode": 12, "absolute_episode": 12}),
    (
        "[SubsPlease] Spy x Family - 25 (1080p) [F00DCAFE].mkv",
        {"type": "episode", "title": "Spy x Family", "episode": 25, "absolute_episode": 25},
    ),
    (
        "[ASW] Dandadan - 07 [1080p HEVC][0A1B2C3D].mkv",
        {"type": "episode", "title": "Dandadan", "episode": 7, "absolute_episode": 7},
    ),
    ("One Piece - 1000.mkv", {"type": "episode", "title": "One Piece", "episode": 1000, "absolute_episode": 1000}),
    ("Naruto/Naruto - 001.mkv", {"type": "episode", "title": "Naruto", "episode": 1, "absolute_episode": 1}),
    ("Bleach - 366 [720p].mkv", {"type": "episode", "title": "Bleach", "episode": 366, "absolute_episode": 366}),
    (
        "Naruto Shippuden Episode 500.mkv",
        {"type": "episode", "title": "Naruto Shippuden", "episode": 500, "absolute_episode": 500},
    ),
    # movies
    ("The.Matrix.1999.1080p.BluRay.x264-SPARKS.mkv", {"type": "movie", "title": "The Matrix", "year": 1999}),
    ("2001.A.Space.Odyssey.1968.1080p.BluRay.mkv", {"type": "movie", "title": "2001 A Space Odyssey", "year": 1968}),
    ("Blade Runner 2049 (2017).mkv", {"type": "movie", "title": "Blade Runner 2049", "year": 2017}),
    (
        "Spider-Man.No.Way.Home.2021.1080p.WEB-DL.x264-GRP.mkv",
        {"type": "movie", "title": "Spider-Man No Way Home", "year": 2021},
    ),
    ("WALL-E.2008.mkv", {"type": "movie", "title": "WALL-E", "year": 2008}),
    ("Ant-Man.and.the.Wasp.2018.mkv", {"type": "movie", "title": "Ant-Man and the Wasp", "year": 2018}),
    ("1917 (2019)/1917.2019.2160p.mkv", {"type": "movie", "title": "1917", "year": 2019}),
    ("21 (2008)/21.mkv", {"type": "movie", "title": "21", "year": 2008}),
    ("300.2006.1080p.BluRay.x264-GRP.mkv", {"type": "movie", "title": "300", "year": 2006}),
    ("10.Cloverfield.Lane.2016.1080p.mkv", {"type": "movie", "title": "10 Cloverfield Lane", "year": 2016}),
    ("1408.2007.DC.720p.mkv", {"type": "movie", "title": "1408", "year": 2007, "edition": "Director's Cut"}),
    ("2012 (2009).mkv", {"type": "movie", "title": "2012", "year": 2009}),
    ("1984.1984.mkv", {"type": "movie", "title": "1984", "year": 1984}),
    ("42.2013.1080p.mkv", {"type": "movie", "title": "42", "year": 2013}),
    ("9 (2009).mkv", {"type": "movie", "title": "9", "year": 2009}),
    ("M (1931).mkv", {"type": "movie", "title": "M", "year": 1931}),
    ("Us (2019).mkv", {"type": "movie", "title": "Us", "year": 2019}),
    ("It.2017.mkv", {"type": "movie", "title": "It", "year": 2017}),
    ("Up.2009.mkv", {"type": "movie", "title": "Up", "year": 2009}),
    ("Se7en.1995.mkv", {"type": "movie", "title": "Se7en", "year": 1995}),
    (
        "Avengers.Endgame.2019.2160p.UHD.BluRay.x265.10bit.HDR.TrueHD.7.1.Atmos-TERMINAL.mkv",
        {"type": "movie", "title": "Avengers Endgame", "year": 2019},
    ),
    ("Parasite.2019.KOREAN.1080p.BluRay.H264.AAC-VXT.mp4", {"type": "movie", "title": "Parasite", "year": 2019}),
    ("Ocean's Eleven (2001).mkv", {"type": "movie", "title": "Ocean's Eleven", "year": 2001}),
    ("Mr. & Mrs. Smith (2005).mkv", {"type": "movie", "title": "Mr. & Mrs. Smith", "year": 2005}),
    ("Spider-Man: No Way Home (2021).mkv", {"type": "movie", "title": "Spider-Man: No Way Home", "year": 2021}),
    ("Spider-Man - No Way Home (2021).mkv", {"type": "movie", "title": "Spider-Man - No Way Home", "year": 2021}),
    (
        "Star Wars: Episode IV - A New Hope (1977).mkv",
        {"type": "movie", "title": "Star Wars: Episode IV - A New Hope", "year": 1977},
    ),
    (
        "Star.Wars.Episode.IV.A.New.Hope.1977.1080p.mkv",
        {"type": "movie", "title": "Star Wars Episode IV A New Hope", "year": 1977},
    ),
    (
        "The Lord of the Rings - The Fellowship of the Ring (2001) [Extended Edition].mkv",
        {
            "type": "movie",
            "title": "The Lord of the Rings - The Fellowship of the Ring",
            "year": 2001,
            "edition": "Extended",
        },
    ),
    ("Kill.Bill.Vol.2.2004.mkv", {"type": "movie", "title": "Kill Bill Vol 2", "year": 2004}),
    (
        "Kill Bill Vol. 1 (2003)/Kill.Bill.Vol.1.2003.1080p.BluRay.x264-GRP.mkv",
        {"type": "movie", "title": "Kill Bill Vol. 1", "year": 2003},
    ),
    ("The.Godfather.Part.II.1974.1080p.mkv", {"type": "movie", "title": "The Godfather Part II", "year": 1974}),
    (
        "Mission.Impossible.Dead.Reckoning.Part.One.2023.1080p.mkv",
        {"type": "movie", "title": "Mission Impossible Dead Reckoning Part One", "year": 2023},
    ),
    ("Dune.Part.Two.2024.2160p.WEB-DL.mkv", {"type": "movie", "title": "Dune Part Two", "year": 2024}),
    (
        "Harry Potter and the Deathly Hallows Part 2 (2011).mkv",
        {"type": "movie", "title": "Harry Potter and the Deathly Hallows Part 2", "year": 2011},
    ),
    (
        "Harry Potter and the Deathly Hallows Part 2 (2011)/Harry.Potter.and.the.Deathly.Hallows.Part.2.2011.1080p.mkv",
        {"type": "movie", "title": "Harry Potter and the Deathly Hallows Part 2", "year": 2011},
    ),
    ("Movie Name (2010) [1080p] [BluRay].mkv", {"type": "movie", "title": "Movie Name", "year": 2010}),
    ("Movie Name (2010) - 1080p.mkv", {"type": "movie", "title": "Movie Name", "year": 2010}),
    ("Amélie (2001)/Amélie (2001).mkv", {"type": "movie", "title": "Amélie", "year": 2001}),
    (
        "Le.Fabuleux.Destin.d'Amélie.Poulain.2001.FRENCH.1080p.BluRay.mkv",
        {"type": "movie", "title": "Le Fabuleux Destin d'Amélie Poulain", "year": 2001},
    ),
    (
        "Crouching Tiger, Hidden Dragon (2000).mkv",
        {"type": "movie", "title": "Crouching Tiger, Hidden Dragon", "year": 2000},
    ),
    ("Звёздные войны (1977).mkv", {"type": "movie", "title": "Звёздные войны", "year": 1977}),
    ("Левиафан.2014.BDRip.mkv", {"type": "movie", "title": "Левиафан", "year": 2014}),
    ("千と千尋の神隠し (2001).mkv", {"type": "movie", "title": "千と千尋の神隠し", "year": 2001}),
    ("臥虎藏龍 (2000).mkv", {"type": "movie", "title": "臥虎藏龍", "year": 2000}),
    ("기생충 (2019).mkv", {"type": "movie", "title": "기생충", "year": 2019}),
    ("الرسالة (1976).mkv", {"type": "movie", "title": "الرسالة", "year": 1976}),
    ("WALL·E (2008).mkv", {"type": "movie", "title": "WALL·E", "year": 2008}),
    ("Léon (1994).mkv", {"type": "movie", "title": "Léon", "year": 1994}),
    ("Downloads/Some.Movie.2014.mkv", {"type": "movie", "title": "Some Movie", "year": 2014}),
    ("Movies/The Matrix (1999)/The.Matrix.1999.REMUX.mkv", {"type": "movie", "title": "The Matrix", "year": 1999}),
    # editions
    (
        "Movie.Name.2010.Directors.Cut.1080p.mkv",
        {"type": "movie", "title": "Movie Name", "year": 2010, "edition": "Director's Cut"},
    ),
    ("Movie (2008) {edition-Extended}.mkv", {"type": "movie", "title": "Movie", "year": 2008, "edition": "Extended"}),
    (
        "Movie (2008) {edition-Director's Cut}/Movie (2008) {edition-Director's Cut}.mkv",
        {"type": "movie", "title": "Movie", "year": 2008, "edition": "Director's Cut"},
    ),
    ("Movie.Extended.Edition.2003.mkv", {"type": "movie", "title": "Movie", "year": 2003, "edition": "Extended"}),
    (
        "The.Lord.of.the.Rings.2001.EXTENDED.1080p.BluRay.mkv",
        {"type": "movie", "title": "The Lord of the Rings", "year": 2001, "edition": "Extended"},
    ),
    ("Movie.2010.UNRATED.mkv", {"type": "movie", "title": "Movie", "year": 2010, "edition": "Unrated"}),
    ("Movie.2010.Theatrical.Cut.mkv", {"type": "movie", "title": "Movie", "year": 2010, "edition": "Theatrical"}),
    ("Movie.2010.REMASTERED.mkv", {"type": "movie", "title": "Movie", "year": 2010, "edition": "Remastered"}),
    ("Movie.2010.IMAX.mkv", {"type": "movie", "title": "Movie", "year": 2010, "edition": "IMAX"}),
    ("Aliens.1986.Special.Edition.1080p.mkv", {"type": "movie", "title": "Aliens", "year": 1986, "edition": "Special"}),
    (
        "Blade.Runner.1982.The.Final.Cut.1080p.BluRay.mkv",
        {"type": "movie", "title": "Blade Runner", "year": 1982, "edition": "Final Cut"},
    ),
    # multi-part
    ("Movie (1999)/Movie (1999) - cd1.avi", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Movie (1999)/Movie (1999) - cd2.avi", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Movie.1999.Part.2.mkv", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Movie.1999.pt2.mkv", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Movie.1999.disc2.mkv", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Movie (1999) - part1.mkv", {"type": "movie", "title": "Movie", "year": 1999}),
    ("Avatar (2009)/Avatar (2009) - part2.mkv", {"type": "movie", "title": "Avatar", "year": 2009}),
    ("Lawrence.of.Arabia.1962.DVDRip.CD1.avi", {"type": "movie", "title": "Lawrence of Arabia", "year": 1962}),
    ("Movie Name (2010)/cd1.avi", {"type": "movie", "title": "Movie Name", "year": 2010}),
    ("Seven Samurai (1954)/Disc 1/VIDEO_TS/VTS_01_1.VOB", {"type": "movie", "title": "Seven Samurai", "year": 1954}),
    # extras
    ("Movie (2010)/Extras/Making Of.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("movie-trailer.mkv", {"type": "extra", "title": "movie"}),
    ("sample-movie.mkv", {"type": "extra", "title": "movie"}),
    ("Movie.2010.Sample.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie.2010.Trailer.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Featurettes/Thing.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Behind The Scenes/Filming.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Deleted Scenes/Alt Ending.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Interviews/Director.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Trailers/trailer.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Samples/sample.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Shorts/Thing.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Making Of-behindthescenes.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Alt Ending-deleted.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Cast-featurette.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Director-interview.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Scene 1-scene.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Short Film-short.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Movie (2010)-trailer.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    ("Movie (2010)/Movie-other.mkv", {"type": "extra", "title": "Movie", "year": 2010}),
    (
        "Movie.2010.1080p.BluRay.x264-GRP/Sample/grp-movie.2010.sample.mkv",
        {"type": "extra", "title": "Movie", "year": 2010},
    ),
    (
        "Show.S01E02.720p.HDTV.x264-GRP/Sample/show.s01e02.720p-sample.mkv",
        {"type": "extra", "title": "Show", "season": 1, "episode": 2},
    ),
    ("Show/Season 1/Extras/Bloopers.mkv", {"type": "extra", "title": "Show", "season": 1}),
    # ids
    ("Movie (2010) [tmdbid-123].mkv", {"type": "movie", "title": "Movie", "year": 2010, "tmdb_id": 123}),
    ("Movie (2010) {tmdb-123}/Movie.mkv", {"type": "movie", "title": "Movie", "year": 2010, "tmdb_id": 123}),
    ("Movie (2010) [tmdb=123].mkv", {"type": "movie", "title": "Movie", "year": 2010, "tmdb_id": 123}),
    ("Movie (2010) [imdbid-tt0123456].mkv", {"type": "movie", "title": "Movie", "year": 2010, "imdb_id": "tt0123456"}),
    ("Movie (2010) {imdb-tt0123456}.mkv", {"type": "movie", "title": "Movie", "year": 2010, "imdb_id": "tt0123456"}),
    (
        "Show {imdb-tt0123456}/Season 1/S01E01.mkv",
        {"type": "episode", "title": "Show", "season": 1, "episode": 1, "imdb_id": "tt0123456"},
    ),
    (
        "Show (2019) [tmdbid-4567]/Season 1/Show - S01E01.mkv",
        {"type": "episode", "title": "Show", "year": 2019, "season": 1, "episode": 1, "tmdb_id": 4567},
    ),
    (
        "Movie (2010) [tmdbid-123] [imdbid-tt0123456]/Movie (2010).mkv",
        {"type": "movie", "title": "Movie", "year": 2010, "tmdb_id": 123, "imdb_id": "tt0123456"},
    ),
    (
        "Show (2015) [tvdbid-281662]/Season 02/Show - S02E04.mkv",
        {"type": "episode", "title": "Show", "year": 2015, "season": 2, "episode": 4},
    ),
    # folder context
    ("Movie Name (2010)/VIDEO_TS/VIDEO_TS.IFO", {"type": "movie", "title": "Movie Name", "year": 2010}),
    ("Inception (2010)/BDMV/STREAM/00001.m2ts", {"type": "movie", "title": "Inception", "year": 2010}),
    ("Movie Name (2010)/movie.mkv", {"type": "movie", "title": "Movie Name", "year": 2010}),
    (
        "Movie.Name.2010.1080p.BluRay.x264-GROUP/group-mn1080p.mkv",
        {"type": "movie", "title": "Movie Name", "year": 2010},
    ),
    # odd inputs
    (".mkv", {"type": "unknown"}),
    ("mkv", {"type": "unknown"}),
    ("Movie (2010).en.srt", {"type": "movie", "title": "Movie", "year": 2010}),
    ("Movie (2010).nfo", {"type": "movie", "title": "Movie", "year": 2010}),
    ("Movie.mkv.srt", {"type": "movie", "title": "Movie"}),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[name for name, _ in CASES])
def test_a_name_reads_as_expected(name: str, expected: dict[str, Any]):
    # Given a file name with its folders / When it is parsed / Then every field is exactly as expected
    assert parse_name(name).to_json() == {"input": name, **NULLS, **expected}


PARTS = [
    ("Movie (1999)/Movie (1999) - cd1.avi", 1),
    ("Movie (1999)/Movie (1999) - cd2.avi", 2),
    ("Movie.1999.Part.2.mkv", 2),
    ("Movie.1999.pt2.mkv", 2),
    ("Movie.1999.disc2.mkv", 2),
    ("Movie (1999) - part1.mkv", 1),
    ("Lawrence.of.Arabia.1962.DVDRip.CD1.avi", 1),
    ("Movie Name (2010)/cd1.avi", 1),
    ("Seven Samurai (1954)/Disc 1/VIDEO_TS/VTS_01_1.VOB", 1),
    # `Part 2` before the year, or in the folder's name too, is part of the title: no stacking.
    ("Harry Potter and the Deathly Hallows Part 2 (2011).mkv", None),
    ("Harry Potter and the Deathly Hallows Part 2 (2011)/Harry.Potter.and.the.Deathly.Hallows.Part.2.2011.mkv", None),
    ("Dune.Part.Two.2024.2160p.WEB-DL.mkv", None),
    ("The.Matrix.1999.1080p.BluRay.x264-SPARKS.mkv", None),
]


@pytest.mark.parametrize(("name", "part"), PARTS, ids=[name for name, _ in PARTS])
def test_stacking_parts_are_kept_apart_from_titles(name: str, part: int | None):
    assert parse_name(name).part == part


EXTRA_KINDS = [
    ("Movie (2010)/Extras/Making Of.mkv", "extras"),
    ("Movie (2010)/Featurettes/Thing.mkv", "featurette"),
    ("Movie (2010)/Behind The Scenes/Filming.mkv", "behind the scenes"),
    ("Movie (2010)/Deleted Scenes/Alt Ending.mkv", "deleted scene"),
    ("Movie (2010)/Interviews/Director.mkv", "interview"),
    ("Movie (2010)/Trailers/trailer.mkv", "trailer"),
    ("Movie (2010)/Samples/sample.mkv", "sample"),
    ("Movie (2010)/Shorts/Thing.mkv", "short"),
    ("Movie (2010)/Making Of-behindthescenes.mkv", "behind the scenes"),
    ("Movie (2010)/Alt Ending-deleted.mkv", "deleted scene"),
    ("Movie (2010)/Cast-featurette.mkv", "featurette"),
    ("Movie (2010)/Director-interview.mkv", "interview"),
    ("Movie (2010)/Scene 1-scene.mkv", "scene"),
    ("Movie (2010)/Short Film-short.mkv", "short"),
    ("Movie (2010)/Movie-other.mkv", "other"),
    ("movie-trailer.mkv", "trailer"),
    ("sample-movie.mkv", "sample"),
    ("Movie.2010.Sample.mkv", "sample"),
    ("Movie.2010.1080p.BluRay.x264-GRP/Sample/grp-movie.2010.sample.mkv", "sample"),
    # Not extras: a word inside a title, and a season of specials.
    ("The.Other.Guys.2010.1080p.mkv", None),
    ("Show/Specials/Show - S00E01.mkv", None),
]


@pytest.mark.parametrize(("name", "kind"), EXTRA_KINDS, ids=[name for name, _ in EXTRA_KINDS])
def test_extras_say_their_kind(name: str, kind: str | None):
    parsed = parse_name(name)
    assert parsed.extra_kind == kind
    assert (parsed.type == "extra") is (kind is not None)


ODD_INPUTS = [
    "",
    "   ",
    "/",
    "\\\\server\\share\\",
    ".mkv",
    "....",
    "[]",
    "[](){}.mkv",
    "-",
    "S01E01",
    "x" * 5000 + ".mkv",
    "Show." + ".".join(["S01E01"] * 200) + ".mkv",
    "Ʌ̸̛̻͎ʘ̶̮͚ ̷̡̹͔.mkv",
    "\u200b\u200d\ufeff.mkv",
    "🎬🍿 (2020).mkv",
    "名前/シーズン1/第01話.mkv",
    "Movie\x00Name.mkv",
    "\ud800.mkv",
    "Season 1/E01.mkv",
    "Extras/trailer.mkv",
    "VIDEO_TS/VIDEO_TS.IFO",
    "tt1234567",
    "{tmdb-}.mkv",
    "[tmdbid-99999999999999999999].mkv",
]


@pytest.mark.parametrize("name", ODD_INPUTS)
def test_odd_inputs_never_raise(name: str):
    parsed = parse_name(name)
    assert parsed.input == name
    assert parsed.type in {"movie", "episode", "extra", "unknown"}
    assert list(parsed.to_json()) == list(JSON_KEYS)


def test_names_with_nothing_in_them_are_unknown():
    for name in ("", "   ", "/", ".mkv", "mkv"):
        assert parse_name(name).to_json() == {"input": name, **NULLS, "type": "unknown"}


def test_a_lone_season_folder_gives_the_season_but_no_title():
    parsed = parse_name("Season 1/E01.mkv")
    assert (parsed.type, parsed.title, parsed.season, parsed.episode) == ("episode", None, 1, 1)


def test_to_json_has_the_documented_keys_in_order():
    assert list(parse_name("Show.S01E02.mkv").to_json()) == [
        "input",
        "type",
        "title",
        "year",
        "season",
        "episode",
        "absolute_episode",
        "air_date",
        "edition",
        "tmdb_id",
        "imdb_id",
    ]


def test_a_parsed_name_is_frozen():
    parsed = parse_name("Movie (2010).mkv")
    assert isinstance(parsed, ParsedName)
    with pytest.raises(AttributeError):
        parsed.title = "Other"  # type: ignore[misc]


def test_a_path_object_reads_like_its_string():
    path = PurePosixPath("Show (2019)/Season 1/Show - S01E03.mkv")
    assert parse_name(path).to_json() == parse_name(str(path)).to_json()  # type: ignore[arg-type]


def test_windows_and_posix_separators_read_alike():
    windows = parse_name("D:\\TV\\Show (2019)\\Season 1\\E03.mkv").to_json()
    posix = parse_name("/tv/Show (2019)/Season 1/E03.mkv").to_json()
    assert {**windows, "input": None} == {**posix, "input": None}
    assert (posix["title"], posix["year"], posix["season"], posix["episode"]) == ("Show", 2019, 1, 3)


def test_the_nearest_id_tag_wins():
    parsed = parse_name("Collection [tmdbid-1]/Movie (2010) [tmdbid-2]/Movie (2010) [tmdbid-3].mkv")
    assert parsed.tmdb_id == 3
    assert parsed.title == "Movie"
