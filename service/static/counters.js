/* Caption lengths counted the way each platform counts them.
 *
 * A faithful port of count_length() in service/captions.py, so that the live counter agrees
 * with the server (which stays authoritative: the page shows the server's count after a save).
 *   twitter                 X weighted length: code points in 0-4351, 8192-8205, 8208-8223 and
 *                           8242-8247 weigh 1, others 2; an emoji sequence weighs 2; a URL 23.
 *   graphemes               grapheme clusters (Bluesky), via Intl.Segmenter.
 *   characters_urls_23      code points, each http(s) URL 23 (Mastodon).
 *   characters_emoji_bytes  code points, but each emoji counts its UTF-8 bytes (Threads).
 *   characters              code points.
 * The text is NFC-normalised first, as the server does. tests/fidelity/counting_table.json is
 * the table of strings (joiners, flags, tags, Persian, Devanagari, CJK, URLs...) that this
 * script in Chromium and the server must count alike.
 */
(function (root) {
  "use strict";

  var URL_WEIGHT = 23;
  var X_WEIGHT_ONE = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];

  // An emoji sequence is a grapheme cluster that starts with an Emoji character and carries an
  // emoji-presentation marker (or is an astral pictograph, U+1F000 on). A bare "©" is not one.
  var EMOJI_BASE = /^\p{Emoji}/u;
  var EMOJI_MARK = /[\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\uFE0F\u20E3]/u;

  // URLs, after twitter-text (the same expression as the server's _URL).
  var PATH = "[A-Za-z0-9\\-._~!*';:=+,$/%#\\[\\]&|@?()\\u00C0-\\u024F\\u0400-\\u04FF]";
  var GTLDS =
    "com|org|net|edu|gov|int|mil|info|biz|name|pro|museum|art|gallery|app|dev|blog|news|online|" +
    "site|social|xyz|page|link|photo|photography|travel|education|culture|design|media|shop|" +
    "store|tech|world|london|wales|scot|cat|asia|eus|nyc|paris|berlin";
  var URL_SOURCE =
    "(?<![\\p{L}\\p{N}@$#])(?<proto>https?://" + PATH + "+)" +
    "|(?<![\\p{L}\\p{N}@$#_./-])(?<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+" +
    "(?:" + GTLDS + "|(?<cc>[a-z]{2})))(?![\\p{L}\\p{N}_-])(?::\\d+)?(?<path>[/?#]" + PATH + "*)?";
  var URL_PATTERN = null;
  try {
    URL_PATTERN = new RegExp(URL_SOURCE, "giu");
  } catch (error) {
    URL_PATTERN = null; // a browser without lookbehind: links count as plain text
  }

  var ALNUM = /^[\p{L}\p{N}]$/u;
  var segmenter =
    typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
      : null;
  var encoder = typeof TextEncoder !== "undefined" ? new TextEncoder() : null;

  function codePoints(text) {
    return Array.from(text);
  }

  function graphemes(text) {
    if (!segmenter) {
      return codePoints(text);
    }
    var out = [];
    var iterator = segmenter.segment(text)[Symbol.iterator]();
    for (var step = iterator.next(); !step.done; step = iterator.next()) {
      out.push(step.value.segment);
    }
    return out;
  }

  function utf8Length(text) {
    if (encoder) {
      return encoder.encode(text).length;
    }
    return unescape(encodeURIComponent(text)).length;
  }

  function isEmoji(cluster) {
    return EMOJI_BASE.test(cluster) && (cluster.codePointAt(0) >= 0x1f000 || EMOJI_MARK.test(cluster));
  }

  function weighsOne(codePoint) {
    for (var i = 0; i < X_WEIGHT_ONE.length; i++) {
      if (codePoint >= X_WEIGHT_ONE[i][0] && codePoint <= X_WEIGHT_ONE[i][1]) {
        return true;
      }
    }
    return false;
  }

  function xWeight(segment) {
    var total = 0;
    graphemes(segment).forEach(function (cluster) {
      if (isEmoji(cluster)) {
        total += 2;
        return;
      }
      codePoints(cluster).forEach(function (character) {
        total += weighsOne(character.codePointAt(0)) ? 1 : 2;
      });
    });
    return total;
  }

  function threadsWeight(segment) {
    var total = 0;
    graphemes(segment).forEach(function (cluster) {
      total += isEmoji(cluster) ? utf8Length(cluster) : codePoints(cluster).length;
    });
    return total;
  }

  function count(text, character) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      if (text[i] === character) {
        n++;
      }
    }
    return n;
  }

  // Sentence punctuation after a link is not part of it; a balanced ")" is.
  function trimUrl(url) {
    while (url) {
      var last = url[url.length - 1];
      if (ALNUM.test(last) || "=_#/-+".indexOf(last) >= 0) {
        break;
      }
      if (last === ")" && count(url, "(") >= count(url, ")")) {
        break;
      }
      url = url.slice(0, -1);
    }
    return url;
  }

  function urlSpans(text, bareDomains) {
    var spans = [];
    if (!URL_PATTERN) {
      return spans;
    }
    URL_PATTERN.lastIndex = 0;
    var match;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var whole = match[0];
      var groups = match.groups;
      var url;
      if (groups.proto !== undefined) {
        url = trimUrl(whole);
        if (url.split("://").slice(1).join("://").length === 0) {
          continue;
        }
      } else {
        if (!bareDomains) {
          continue; // Mastodon only counts links written with http(s)://
        }
        var domain = groups.domain;
        var rawPath = groups.path || "";
        var path = trimUrl(rawPath);
        if (groups.cc !== undefined && count(domain, ".") === 1 && !path && domain.toLowerCase() !== "t.co") {
          continue;
        }
        url = whole.slice(0, whole.length - rawPath.length) + path;
      }
      spans.push([match.index, match.index + url.length]);
    }
    return spans;
  }

  function withUrls(text, weigh, bareDomains) {
    var total = 0;
    var position = 0;
    urlSpans(text, bareDomains).forEach(function (span) {
      total += weigh(text.slice(position, span[0])) + URL_WEIGHT;
      position = span[1];
    });
    return total + weigh(text.slice(position));
  }

  function codePointLength(text) {
    return codePoints(text).length;
  }

  /* The length of text as a platform with this counting method counts it. */
  function countLength(counting, text) {
    text = String(text || "").normalize("NFC");
    switch (counting) {
      case "twitter":
        return withUrls(text, xWeight, true);
      case "graphemes":
        return graphemes(text).length;
      case "characters_urls_23":
        return withUrls(text, codePointLength, false);
      case "characters_emoji_bytes":
        return threadsWeight(text);
      default:
        return codePointLength(text);
    }
  }

  var api = { countLength: countLength, urlSpans: urlSpans };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.VitrineCounters = api;
  }
})(typeof window !== "undefined" ? window : this);
