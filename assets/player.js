// The built-in player's browser half (/app/library/<id>/play). The page (seen/pages/player.py) draws a
// <video id="seen-player"> whose data attributes say what to play; this script plays it:
// - the file as it is when the browser can, otherwise (or when that fails) the server's converted stream,
//   which starts at ?start=<s>: its own clock then starts at 0, so positions are offset + currentTime;
// - resume at the saved position; the position saved every 10 s while playing, on pause, seek, end and leave
//   (POST /api/v1/progress: past the viewer's threshold the server records the viewing);
// - subtitles: the picker's choice is remembered per show (and as the last choice), so the next episode
//   starts with the same language;
// - "up next": when an episode ends, a countdown, then the next episode (a client-side link, so it may start
//   without another click);
// - theater mode and keyboard shortcuts.
// Pages are swapped without reloading, so the script watches for the video element to appear, change or go.
(function () {
  "use strict";
  var SAVE_EVERY_MS = 10000;
  var SEEK_STEP = 10;
  var current = null;

  function numberOr(value, fallback) {
    var parsed = parseFloat(value);
    return isFinite(parsed) ? parsed : fallback;
  }

  function readConfig(video) {
    var d = video.dataset;
    return {
      itemId: d.itemId,
      mediaId: d.mediaId ? parseInt(d.mediaId, 10) : null,
      season: d.season !== "" && d.season !== undefined ? parseInt(d.season, 10) : null,
      episode: d.episode !== "" && d.episode !== undefined ? parseInt(d.episode, 10) : null,
      duration: numberOr(d.duration, 0),
      resume: numberOr(d.resume, 0),
      mode: d.mode,
      directUrl: d.directUrl,
      directType: d.directType,
      convertedUrl: d.convertedUrl,
      nextHref: d.nextHref,
      previousHref: d.previousHref,
      autoplay: d.autoplay === "1",
      upNextSeconds: numberOr(d.upNextSeconds, 10),
      csrf: d.csrf,
    };
  }

  // -- messages ------------------------------------------------------------------------------------------

  function say(text, kind) {
    var box = document.getElementById("seen-player-message");
    if (!box) return;
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  // -- position -----------------------------------------------------------------------------------------

  function duration(player) {
    var own = player.video.duration;
    if (!player.converted && isFinite(own) && own > 0) return own;
    return player.config.duration;
  }

  function position(player) {
    return player.offset + (player.video.currentTime || 0);
  }

  function save(player, reason) {
    var config = player.config;
    var total = Math.round(duration(player));
    if (!config.mediaId || total <= 0) return;
    var at = Math.min(total, Math.round(reason === "ended" ? total : player.lastPosition));
    if (at === player.savedPosition && reason !== "ended") return;
    player.savedPosition = at;
    player.lastSave = Date.now();
    var body = { media_id: config.mediaId, position_seconds: at, duration_seconds: total };
    if (config.season !== null && config.episode !== null) {
      body.season_number = config.season;
      body.episode_number = config.episode;
    }
    fetch("/api/v1/progress", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true, // still sent when the page is being left
      headers: { "Content-Type": "application/json", "X-CSRF-Token": config.csrf || "" },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        if (response.status === 401) {
          say("Your session has ended: log in again to keep your place.", "error");
          return null;
        }
        if (!response.ok) {
          return response.json().then(function (body) {
            var reason = body && body.error ? body.error.message : "HTTP " + response.status;
            say("Your place could not be saved: " + reason, "error");
            return null;
          });
        }
        return response.json();
      })
      .then(function (state) {
        if (!state || current !== player) return;
        player.video.dataset.savedPosition = String(state.position_seconds);
        if (state.finished && !player.announcedWatched) {
          player.announcedWatched = true;
          say("Marked as watched.");
        }
      })
      .catch(function () {});
  }

  // -- sources ------------------------------------------------------------------------------------------

  function canPlayAsItIs(video, config) {
    if (config.mode === "direct") return true;
    return video.canPlayType(config.directType) === "probably";
  }

  function useConverted(player, start, keepPlaying) {
    var video = player.video;
    player.converted = true;
    player.offset = Math.max(0, Math.floor(start));
    video.dataset.source = "converted";
    video.src = player.config.convertedUrl + "?start=" + player.offset;
    var seek = document.getElementById("seen-seek");
    if (seek) seek.hidden = false;
    alignAllCues(player);
    if (keepPlaying) play(player);
  }

  function useDirect(player) {
    player.converted = false;
    player.offset = 0;
    player.video.dataset.source = "direct";
    player.video.src = player.config.directUrl;
  }

  function play(player) {
    var started = player.video.play();
    if (started && started.catch) {
      started.catch(function (error) {
        if (error && error.name === "NotAllowedError") say("Press play to start.");
      });
    }
  }

  function seekTo(player, seconds) {
    var total = duration(player);
    var target = Math.max(0, total > 0 ? Math.min(seconds, total - 0.5) : seconds);
    if (player.converted) {
      useConverted(player, target, !player.video.paused || player.wantsPlay);
    } else {
      player.video.currentTime = target;
    }
    player.lastPosition = target;
    save(player, "seek");
  }

  function explainFailure(player) {
    // The converted stream failed too: ask the server why (its answer carries the reason).
    fetch(player.video.src, { credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) return null;
        return response.json().then(function (body) {
          return (body && body.error && body.error.message) || "The server refused to play this file.";
        });
      })
      .then(function (reason) {
        say(reason || "This file could not be played in this browser.", "error");
      })
      .catch(function () {
        say("This file could not be played in this browser.", "error");
      });
  }

  // -- subtitles ----------------------------------------------------------------------------------------

  function trackElements(player) {
    return Array.prototype.slice.call(player.video.querySelectorAll("track"));
  }

  function preferenceKey(config) {
    return "seen:subtitles:" + (config.mediaId || config.itemId);
  }

  function alignCues(player, element) {
    // A converted stream's clock starts at its start: move the cues by the same amount.
    var track = element.track;
    if (!track || !track.cues) return;
    var shift = player.offset - (element._seenShift || 0);
    if (!shift) return;
    Array.prototype.forEach.call(track.cues, function (cue) {
      cue.startTime = cue.startTime - shift;
      cue.endTime = cue.endTime - shift;
    });
    element._seenShift = player.offset;
  }

  function alignAllCues(player) {
    trackElements(player).forEach(function (element) {
      alignCues(player, element);
    });
  }

  function showSubtitle(player, subtitleId) {
    trackElements(player).forEach(function (element) {
      var chosen = element.dataset.subtitleId === subtitleId;
      // "hidden" still loads the cues (so they can be aligned); only the chosen one shows.
      element.track.mode = chosen ? "showing" : "hidden";
    });
    player.video.dataset.subtitle = subtitleId || "off";
    var picker = document.getElementById("seen-subtitles");
    if (picker) picker.value = subtitleId || "off";
  }

  function chooseSubtitle(player, subtitleId) {
    showSubtitle(player, subtitleId);
    var chosen = trackElements(player).filter(function (element) {
      return element.dataset.subtitleId === subtitleId;
    })[0];
    var language = chosen ? chosen.dataset.language || "und" : "off";
    try {
      localStorage.setItem(preferenceKey(player.config), language);
      localStorage.setItem("seen:subtitles:last", language);
    } catch (e) {}
  }

  function applySubtitlePreference(player) {
    var elements = trackElements(player);
    if (!elements.length) return;
    var wanted = null;
    try {
      wanted = localStorage.getItem(preferenceKey(player.config));
    } catch (e) {}
    var pick = null;
    if (wanted && wanted !== "off") {
      var same = elements.filter(function (element) {
        return (element.dataset.language || "und") === wanted;
      });
      pick = same[0] || null;
    }
    showSubtitle(player, pick ? pick.dataset.subtitleId : "off");
  }

  function cycleSubtitle(player) {
    var ids = ["off"].concat(
      trackElements(player).map(function (element) {
        return element.dataset.subtitleId;
      })
    );
    var now = ids.indexOf(player.video.dataset.subtitle || "off");
    chooseSubtitle(player, ids[(now + 1) % ids.length]);
  }

  // -- up next ------------------------------------------------------------------------------------------

  function stopCountdown(player) {
    if (player.countdown) clearInterval(player.countdown);
    player.countdown = null;
    var card = document.getElementById("seen-up-next");
    if (card) card.hidden = true;
  }

  function startCountdown(player) {
    var card = document.getElementById("seen-up-next");
    if (!player.config.nextHref || !card) return;
    var left = player.config.upNextSeconds;
    var count = document.getElementById("seen-up-next-count");
    card.hidden = false;
    if (count) count.textContent = String(left);
    stopCountdown(player);
    card.hidden = false;
    player.countdown = setInterval(function () {
      left -= 1;
      if (count) count.textContent = String(Math.max(0, left));
      if (left <= 0) {
        stopCountdown(player);
        goTo("seen-up-next-play");
      }
    }, 1000);
  }

  function goTo(linkId) {
    // The page's own link: the app's router moves to it without reloading, so playback may start at once.
    var link = document.getElementById(linkId);
    var anchor = link && (link.tagName === "A" ? link : link.querySelector("a") || link.closest("a"));
    if (anchor) anchor.click();
  }

  function goToEpisode(href) {
    var anchors = document.querySelectorAll('a[href="' + href + '"]');
    if (anchors.length) anchors[0].click();
  }

  // -- theater ------------------------------------------------------------------------------------------

  function setTheater(on) {
    var page = document.getElementById("seen-player-page");
    var button = document.getElementById("seen-theater");
    if (page) page.dataset.theater = on ? "true" : "false";
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    try {
      localStorage.setItem("seen:theater", on ? "1" : "0");
    } catch (e) {}
  }

  function theaterIsOn() {
    var page = document.getElementById("seen-player-page");
    return !!page && page.dataset.theater === "true";
  }

  // -- keyboard -----------------------------------------------------------------------------------------

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function onKey(event) {
    var player = current;
    if (!player || !player.video.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var video = player.video;
    var key = event.key;
    var handled = true;
    if (key === " " || key === "k" || key === "K") {
      if (video.paused) play(player);
      else video.pause();
    } else if (key === "ArrowLeft" || key === "j" || key === "J") {
      seekTo(player, position(player) - SEEK_STEP);
    } else if (key === "ArrowRight" || key === "l" || key === "L") {
      seekTo(player, position(player) + SEEK_STEP);
    } else if (key === "ArrowUp") {
      video.volume = Math.min(1, video.volume + 0.1);
    } else if (key === "ArrowDown") {
      video.volume = Math.max(0, video.volume - 0.1);
    } else if (key === "m" || key === "M") {
      video.muted = !video.muted;
    } else if (key === "f" || key === "F") {
      var frame = video.closest(".seen-player-frame") || video;
      if (document.fullscreenElement) document.exitFullscreen();
      else if (frame.requestFullscreen) frame.requestFullscreen();
    } else if (key === "t" || key === "T") {
      setTheater(!theaterIsOn());
    } else if (key === "Escape" && theaterIsOn() && !document.fullscreenElement) {
      setTheater(false);
    } else if (key === "c" || key === "C") {
      cycleSubtitle(player);
    } else if ((key === "n" || key === "N") && player.config.nextHref) {
      goToEpisode(player.config.nextHref);
    } else if ((key === "p" || key === "P") && player.config.previousHref) {
      goToEpisode(player.config.previousHref);
    } else if (/^[0-9]$/.test(key)) {
      seekTo(player, (duration(player) * parseInt(key, 10)) / 10);
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  // -- one video ----------------------------------------------------------------------------------------

  function leave(player) {
    if (!player) return;
    stopCountdown(player);
    if (!player.ended) save(player, "leave");
    player.video.removeAttribute("data-seen-attached");
  }

  function attach(video) {
    var config = readConfig(video);
    var player = {
      video: video,
      config: config,
      itemId: config.itemId,
      offset: 0,
      converted: false,
      lastPosition: config.resume,
      savedPosition: Math.round(config.resume),
      lastSave: Date.now(),
      countdown: null,
      ended: false,
      wantsPlay: config.autoplay,
      announcedWatched: false,
    };
    current = player;
    video.setAttribute("data-seen-attached", config.itemId);
    say("");
    try {
      setTheater(localStorage.getItem("seen:theater") === "1");
    } catch (e) {}

    video.addEventListener("loadedmetadata", function () {
      if (current !== player) return;
      if (!player.converted && player.config.resume > 0 && !player.resumed) {
        video.currentTime = player.config.resume;
      }
      player.resumed = true;
      applySubtitlePreference(player);
    });
    video.addEventListener("timeupdate", function () {
      if (current !== player) return;
      player.lastPosition = position(player);
      var label = document.getElementById("seen-seek-time");
      var range = document.getElementById("seen-seek-range");
      if (player.converted) {
        if (label) label.textContent = clock(player.lastPosition) + " / " + clock(duration(player));
        if (range && !player.dragging) range.value = String(Math.floor(player.lastPosition));
      }
      if (!video.paused && Date.now() - player.lastSave >= SAVE_EVERY_MS) save(player, "interval");
    });
    video.addEventListener("play", function () {
      player.ended = false;
      player.wantsPlay = true;
      stopCountdown(player);
    });
    video.addEventListener("pause", function () {
      if (current !== player || video.ended) return;
      player.wantsPlay = false;
      player.lastPosition = position(player);
      save(player, "pause");
    });
    video.addEventListener("ended", function () {
      if (current !== player) return;
      player.ended = true;
      player.lastPosition = duration(player);
      save(player, "ended");
      startCountdown(player);
    });
    video.addEventListener("error", function () {
      if (current !== player) return;
      if (!player.converted) {
        // The browser could not play the file as it is after all: the server repackages or converts it.
        say("This browser cannot play the file as it is: it is converted while it plays.");
        useConverted(player, position(player) || player.config.resume, true);
        return;
      }
      explainFailure(player);
    });
    trackElements(player).forEach(function (element) {
      element.addEventListener("load", function () {
        alignCues(player, element);
      });
    });

    if (canPlayAsItIs(video, config)) {
      useDirect(player);
    } else {
      useConverted(player, config.resume, false);
      player.resumed = true;
    }
    if (config.autoplay) play(player);
    var range = document.getElementById("seen-seek-range");
    if (range) {
      range.max = String(Math.floor(config.duration));
      range.oninput = function () {
        player.dragging = true;
      };
      range.onchange = function () {
        player.dragging = false;
        seekTo(player, parseFloat(range.value));
      };
    }
  }

  function check() {
    var video = document.getElementById("seen-player");
    if (current && (!current.video.isConnected || current.video !== video)) {
      leave(current);
      current = null;
    }
    if (video && video.dataset.itemId && (!current || current.itemId !== video.dataset.itemId)) {
      if (current) leave(current);
      attach(video);
    }
  }

  document.addEventListener("keydown", onKey, true);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("#seen-theater")) setTheater(!theaterIsOn());
    if (target.closest("#seen-up-next-cancel") && current) stopCountdown(current);
  });
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "seen-subtitles" && current) chooseSubtitle(current, event.target.value);
  });
  window.addEventListener("pagehide", function () {
    if (current) save(current, "leave");
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && current) save(current, "leave");
  });
  setInterval(check, 300);
})();
