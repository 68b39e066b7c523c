"""Embedded tweets in every form news pages use, one row each."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import pickle
import re
import urllib.parse
from typing import Any

import pytest
from lxml import etree

import resolver
from resolver.detect import html as html_detect
from resolver.models import Link, LinkKind, StatusRef, Where

OEMBED = (
    '<blockquote class="twitter-tweet" data-lang="pt"><p lang="en" dir="ltr">#FOOTAGE Elimination of a '
    'militants&#39; strong point (<a href="https://twitter.com/hashtag/Aleppo?src=hash">#Aleppo</a> province) '
    '<a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a> '
    '<a href="https://t.co/PXh7c6aziZ">pic.twitter.com/PXh7c6aziZ</a></p>&mdash; Минобороны России '
    '(@mod_russia) <a href="https://twitter.com/mod_russia/status/656808085430472704?ref_src=twsrc%5Etfw">'
    "21 de outubro de 2015</a></blockquote>"
)
WIDGETS = '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'


def page(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body><article>{body}</article></body></html>".encode()


# (name, body, expected tweets as dicts of the fields to check)
CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "oembed",
        OEMBED + WIDGETS,
        [
            {
                "id": "656808085430472704",
                "handle": "mod_russia",
                "author": "Минобороны России",
                "date": dt.date(2015, 10, 21),
                "lang": "en",
                "form": "blockquote",
                # The #Aleppo hashtag's link is Twitter's, not the author's: the text form
                # of this tweet (the example article) has these two links only.
                "links": ("https://t.co/eKInDZJCbH", "https://t.co/PXh7c6aziZ"),
                "url": "https://twitter.com/mod_russia/status/656808085430472704",
            }
        ],
    ),
    ("oembed-no-script", OEMBED, [{"id": "656808085430472704", "form": "blockquote"}]),
    (
        "twitter-video",
        OEMBED.replace('class="twitter-tweet"', 'class="twitter-video"'),
        [{"id": "656808085430472704", "handle": "mod_russia"}],
    ),
    (
        "rendered",
        '<div class="twitter-tweet twitter-tweet-rendered" style="display:flex"><iframe id="twitter-widget-0" '
        'src="https://platform.twitter.com/embed/Tweet.html?dnt=false&amp;id=1346889436626259968&amp;lang=en" '
        'data-tweet-id="1346889436626259968"></iframe></div>',
        [{"id": "1346889436626259968", "date": dt.date(2021, 1, 6), "date_source": "snowflake"}],
    ),
    (
        "iframe-x",
        '<iframe src="https://platform.x.com/embed/Tweet.html?id=1628832338187636740" width="550"></iframe>',
        [{"id": "1628832338187636740", "form": "iframe"}],
    ),
    (
        "amp",
        '<amp-twitter width="375" height="472" layout="responsive" data-tweetid="656808085430472704">'
        '<blockquote placeholder class="twitter-tweet" data-lang="en"><p lang="en">Loading tweet</p>'
        '&mdash; MoD (@mod_russia) <a href="https://twitter.com/mod_russia/status/656808085430472704">'
        "October 21, 2015</a></blockquote></amp-twitter>",
        [{"id": "656808085430472704", "form": "amp-twitter", "author": "MoD", "date": dt.date(2015, 10, 21)}],
    ),
    (
        "wordpress-url-only",
        '<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter">'
        '<div class="wp-block-embed__wrapper">\nhttps://twitter.com/jack/status/20\n</div></figure>',
        [{"id": "20", "handle": "jack", "form": "wordpress", "date": None}],
    ),
    (
        "wordpress-with-blockquote",
        '<figure class="wp-block-embed-twitter"><div class="wp-block-embed__wrapper">'
        + OEMBED
        + "</div></figure>",
        [{"id": "656808085430472704", "form": "wordpress", "author": "Минобороны России"}],
    ),
    (
        "jetpack",
        "<p>Before.</p><p>[tweet https://twitter.com/jack/status/20 align='center']</p><p>[tweet 21]</p>",
        [{"id": "20", "handle": "jack", "form": "jetpack-shortcode"}, {"id": "21", "handle": None}],
    ),
    (
        "ghost",
        '<figure class="kg-card kg-embed-card">' + OEMBED + WIDGETS + "</figure>",
        [{"id": "656808085430472704", "form": "ghost"}],
    ),
    (
        "substack",
        '<div class="tweet" data-attrs="{&quot;url&quot;:&quot;https://twitter.com/mod_russia/status/656808085430472704'
        "&quot;,&quot;full_text&quot;:&quot;Radio recon intercepted data https://t.co/abc123&quot;,&quot;username"
        "&quot;:&quot;mod_russia&quot;,&quot;name&quot;:&quot;Минобороны России&quot;,&quot;date&quot;:&quot;"
        'Wed Oct 21 12:00:00 +0000 2015&quot;}"><div class="tweet-header">x</div></div>',
        [
            {
                "id": "656808085430472704",
                "form": "substack",
                "author": "Минобороны России",
                "text": "Radio recon intercepted data https://t.co/abc123",
                "links": ("https://t.co/abc123",),
            }
        ],
    ),
    (
        "embedly",
        '<iframe src="https://cdn.embedly.com/widgets/media.html?type=text%2Fhtml&amp;key=a&amp;schema=twitter'
        '&amp;url=https%3A//twitter.com/mod_russia/status/656808085430472704&amp;image=x"></iframe>',
        [{"id": "656808085430472704", "handle": "mod_russia", "form": "embedly"}],
    ),
    (
        "data-tweet-id",
        '<div class="embed-tweet" data-tweet-id="656808085430472704"></div>',
        [{"id": "656808085430472704", "form": "data-attribute"}],
    ),
    ("data-tweetid", '<div data-tweetid="656808085430472704"></div>', [{"id": "656808085430472704"}]),
    (
        "data-embed-id-twitter",
        '<div class="social-embed" data-embed-type="twitter" data-embed-id="656808085430472704"></div>',
        [{"id": "656808085430472704"}],
    ),
    (
        "data-embed-id-youtube-is-not-a-tweet",
        '<div class="social-embed" data-embed-type="youtube" data-embed-id="123456789012"></div>',
        [],
    ),
    (
        "lazy-attribute",
        '<div class="lazy-embed" data-html="'
        + OEMBED.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        + '"></div>',
        [{"id": "656808085430472704", "form": "lazy-attribute", "where_attribute": "data-html"}],
    ),
    (
        "lazy-noscript-with-id",
        '<div class="tweet-lazy" data-tweet-id="656808085430472704"><noscript>'
        + OEMBED
        + "</noscript></div>",
        [{"id": "656808085430472704", "form": "data-attribute", "author": "Минобороны России"}],
    ),
    (
        "template-script",
        '<script type="text/template" id="t1">' + OEMBED + "</script>",
        [{"id": "656808085430472704", "form": "lazy-template"}],
    ),
    (
        "nested-quote",
        '<blockquote class="twitter-tweet"><p lang="en">Look at this</p>'
        '<blockquote class="twitter-tweet"><p lang="en">Original</p>&mdash; Jack (@jack) '
        '<a href="https://twitter.com/jack/status/20">March 21, 2006</a></blockquote>'
        '&mdash; Someone (@someone) <a href="https://twitter.com/someone/status/1600000000000000000">'
        "December 6, 2022</a></blockquote>",
        [
            {"id": "1600000000000000000", "handle": "someone", "text": "Look at this", "quoted_in": None},
            {"id": "20", "handle": "jack", "text": "Original", "quoted_in": 0, "date": dt.date(2006, 3, 21)},
        ],
    ),
    (
        "plain-status-link-is-not-an-embed",
        '<p>As <a href="https://x.com/jack/status/20?s=20">Jack said</a>, it began.</p>',
        [],
    ),
    (
        "timeline-and-buttons-are-not-tweets",
        '<a class="twitter-timeline" href="https://twitter.com/mod_russia?ref_src=twsrc%5Etfw">Tweets</a>'
        '<a href="https://twitter.com/intent/tweet?text=x&amp;url=y" class="twitter-share-button">Share</a>'
        '<a href="https://twitter.com/mod_russia" class="twitter-follow-button">Follow</a>'
        '<img src="https://t.co/i/adsct?p_id=1" width="1" height="1">'
        "<style>.x::before{content:'(@mod_russia) 21 October 2015'}</style>"
        "<script>var s = '— A (@b) October 21, 2015';</script>",
        [],
    ),
    (
        "flattened-with-linked-handle",
        "<p>Byline by <a href='https://twitter.com/reporter'>@reporter</a></p>"
        "<p>We are live now https://t.co/live42</p>"
        "<p>— Newsroom (<a href='https://twitter.com/newsroom'>@newsroom</a>) 21. Oktober 2015</p>",
        [
            {
                "handle": "newsroom",
                "author": "Newsroom",
                "date": dt.date(2015, 10, 21),
                "date_lang": "de",
                "links": ("https://t.co/live42",),
                "form": "text-signature",
            }
        ],
    ),
    (
        "flattened-in-html",
        "<p>Story text here.</p><p>Radio recon intercepted data <a href='https://t.co/zzz111'>t.co/zzz111</a></p>"
        "<p>&mdash; Минобороны России (@mod_russia) 21 octobre 2015</p>",
        [
            {
                "id": None,
                "handle": "mod_russia",
                "date": dt.date(2015, 10, 21),
                "date_lang": "fr",
                "form": "text-signature",
                "links": ("https://t.co/zzz111",),
            }
        ],
    ),
]


def substack_attrs(data: dict[str, Any]) -> str:
    """Substack's data-attrs: the tweet as JSON, HTML-escaped into the attribute."""
    return htmllib.escape(json.dumps(data, ensure_ascii=False))


SUBSTACK_TWEET: dict[str, Any] = {
    "url": "https://twitter.com/notdetails/status/961570492162494464?s=20",
    # The text is HTML: the real href behind a truncated display URL, a mention in a span.
    "full_text": 'Open-sourcing the framework <a class="tweet-url" href="https://docs.google.com/spreadsheets'
    '/d/1huExwmi7/edit?usp=sharing">docs.google.com/spreadsheets/d…</a> <span class="tweet-fake-link">'
    "@github</span>",
    "username": "notdetails",
    "name": "Joel Califa",
    "date": "Thu Feb 08 12:00:45 +0000 2018",  # the API's format, not ISO 8601
    "photos": [
        {
            "img_url": "https://pbs.substack.com/media/DVgu7f1WsAAkNMr.jpg",
            "link_url": "https://t.co/kJDxilkm4E",
        }
    ],
    "quoted_tweet": {},
    "expanded_url": {},
}
LAZY_BLOCKQUOTE = (
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Lazy text <a href="https://t.co/Lz1">'
    "pic.twitter.com/Lz1</a></p>&mdash; Lazy (@lazy) <a href="
    '"https://twitter.com/lazy/status/1346889436626259968?ref_src=twsrc%5Etfw">January 6, 2021</a></blockquote>'
)

# Each row failed before the fix it names.
ROBUSTNESS_CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "substack-html-text-photos-api-date",
        f'<div class="tweet" data-attrs="{substack_attrs(SUBSTACK_TWEET)}" data-component-name="Twitter2ToDOM">'
        '<a class="tweet-link-top" href="https://twitter.com/notdetails/status/961570492162494464?s=20">x</a></div>',
        [
            {
                "id": "961570492162494464",
                "text": "Open-sourcing the framework docs.google.com/spreadsheets/d… @github",
                "links": (
                    "https://docs.google.com/spreadsheets/d/1huExwmi7/edit?usp=sharing",
                    "https://t.co/kJDxilkm4E",
                ),
                "date": dt.date(2018, 2, 8),
                "form": "substack",
            }
        ],
    ),
    (
        "substack-twitter-embed-class",
        f'<div class="twitter-embed" data-attrs="{substack_attrs(SUBSTACK_TWEET)}"></div>',
        [{"id": "961570492162494464", "handle": "notdetails", "author": "Joel Califa", "form": "substack"}],
    ),
    (
        "substack-component-name-only",
        f'<div data-attrs="{substack_attrs(SUBSTACK_TWEET)}" data-component-name="Twitter2ToDOM"></div>',
        [{"id": "961570492162494464", "form": "substack"}],
    ),
    (
        "substack-anchor-without-json",
        '<a data-component-name="Twitter2ToDOM" href="https://x.com/wta/status/1598464456019021824">'
        "<p>WTA @WTA</p><p>Tweet text</p></a>",
        [{"id": "1598464456019021824", "handle": "wta", "form": "substack"}],
    ),
    (
        "substack-quoted-tweet",
        '<div class="tweet" data-attrs="'
        + substack_attrs(
            {
                **SUBSTACK_TWEET,
                "quoted_tweet": {"full_text": "The quoted tweet.", "username": "other", "name": "Other"},
            }
        )
        + '"></div>',
        [
            {"id": "961570492162494464", "quoted_in": None},
            {"id": None, "handle": "other", "text": "The quoted tweet.", "quoted_in": 0, "form": "substack"},
        ],
    ),
    (
        "iframe-lazy-src-behind-a-placeholder",
        '<iframe src="about:blank" data-lazy-src="https://platform.twitter.com/embed/Tweet.html?id=1346889436626259968">'
        "</iframe>",
        [{"id": "1346889436626259968", "form": "iframe", "where_attribute": "data-lazy-src"}],
    ),
    (
        "lazy-percent-encoded",
        f'<div class="lazy" data-html="{urllib.parse.quote(LAZY_BLOCKQUOTE)}"></div>',
        [{"id": "1346889436626259968", "author": "Lazy", "form": "lazy-attribute"}],
    ),
    (
        "lazy-json-string",
        '<div data-props="'
        + htmllib.escape(
            json.dumps({"html": LAZY_BLOCKQUOTE}).replace("<", "\\u003c").replace(">", "\\u003e")
        )
        + '"></div>',
        [
            {
                "id": "1346889436626259968",
                "handle": "lazy",
                "date": dt.date(2021, 1, 6),
                "form": "lazy-attribute",
            }
        ],
    ),
    (
        "amp-status-url-names-the-author",
        '<amp-twitter width="1" height="1" data-tweetid="https://twitter.com/AMPhtml/status/885634330868850689">'
        "</amp-twitter>",
        [{"id": "885634330868850689", "handle": "AMPhtml", "form": "amp-twitter"}],
    ),
    (
        "wpautop-signature-paragraph",
        '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Tweet text</p>\n<p>&mdash; Jane Doe (@jane) '
        '<a href="https://twitter.com/jane/status/1346889436626259968">January 6, 2021</a></p></blockquote>',
        [
            {
                "id": "1346889436626259968",
                "author": "Jane Doe",
                "text": "Tweet text",
                "date_text": "January 6, 2021",
            }
        ],
    ),
    (
        "minimal-embed-shows-no-date",
        '<blockquote class="twitter-tweet" data-dnt="true"><a href="https://twitter.com/user/status/1346889436626259968">'
        "View this post on Twitter</a></blockquote>",
        [{"id": "1346889436626259968", "date_text": None, "date_source": "snowflake"}],
    ),
    (
        "flattened-date-links-to-the-status",
        "<p>Article paragraph.</p><p>Tweet text <a href='https://t.co/abc'>pic.twitter.com/abc</a><br>"
        "— Jane (@jane) <a href='https://twitter.com/jane/status/1346889436626259968'>January 6, 2021</a></p>",
        [
            {
                "id": "1346889436626259968",
                "url": "https://twitter.com/jane/status/1346889436626259968",
                "form": "text-signature",
                "links": ("https://t.co/abc",),
            }
        ],
    ),
    (
        "flattened-rendered-time-and-date",
        "<p>Tweet text https://t.co/abc</p><p>— Jane (@jane) 3:45 PM · Jan 6, 2021</p>",
        [
            {
                "handle": "jane",
                "date": dt.date(2021, 1, 6),
                "date_text": "3:45 PM · Jan 6, 2021",
                "date_lang": "en",
            }
        ],
    ),
    (
        # widgets.js's shadow DOM pasted into a CMS (the Guardian, 2015): the parts have classes.
        "rendered-widget-markup-kept",
        '<figure class="element element-tweet" data-canonical-url="https://twitter.com/702sydney/statuses/'
        '638909482697777152"><twitter-widget class="twitter-tweet twitter-tweet-rendered" '
        'data-tweet-id="638909482697777152"><div class="EmbeddedTweet"><blockquote class="Tweet h-entry" '
        'cite="https://twitter.com/abcsydney/status/638909482697777152" data-tweet-id="638909482697777152">'
        '<a class="TweetAuthor-link" href="https://twitter.com/abcsydney"><span class="TweetAuthor-name '
        'Identity-name" title="ABC Sydney">ABC Sydney</span><span class="TweetAuthor-screenName">@abcsydney</span>'
        '</a><p class="Tweet-text e-entry-title" lang="en">The new logo for <a href="https://twitter.com/hashtag/'
        'NSW?src=hash">#NSW</a>.</p><a class="u-url long-permalink" data-datetime="2015-09-02T03:01:05+0000" '
        'href="https://twitter.com/abcsydney/status/638909482697777152">10:01 AM - Sep 2, 2015</a></blockquote>'
        "</div></twitter-widget></figure>",
        [
            {
                "id": "638909482697777152",
                "handle": "abcsydney",
                "author": "ABC Sydney",
                "text": "The new logo for #NSW.",
                "lang": "en",
                "links": (),  # a hashtag's link is Twitter's
                "date": dt.date(2015, 9, 2),
                "date_source": "signature",
                "form": "rendered",
            }
        ],
    ),
    (
        "rendered-div-with-data-id",
        '<div class="twitter-tweet" data-id="1346889436626259968"></div>',
        [{"id": "1346889436626259968", "form": "rendered"}],
    ),
    # Newsroom wrappers keyed by the status URL rather than the ID (filled in by a script).
    (
        "data-tweet-url-slot",
        '<div class="tweet-embed-slot" data-tweet-url="https://x.com/nibzard/status/2023807296095076773"></div>',
        [
            {
                "id": "2023807296095076773",
                "handle": "nibzard",
                "form": "data-attribute",
                "where_attribute": "data-tweet-url",
            }
        ],
    ),
    (
        "data-tweet-url-on-a-data-iframe",
        '<iframe title="tweet by jack" width="100%" data-tweet-url="https://twitter.com/jack/status/20" '
        'src="data:text/html;charset=utf-8,%3Cblockquote%3E%3C/blockquote%3E"></iframe>',
        [{"id": "20", "handle": "jack", "form": "data-attribute"}],
    ),
    (
        "data-tweet-url-of-a-profile-is-not-a-tweet",
        '<iframe data-tweet-url="https://twitter.com/pyconindia" src="about:blank"></iframe>',
        [],
    ),
    (
        "data-provider-twitter-data-url",
        '<div data-social-embed="" data-provider="twitter" data-url="https://x.com/OpenAI/status/1234567890123" '
        'class="social-embed"><a href="https://x.com/OpenAI/status/1234567890123">'
        "https://x.com/OpenAI/status/1234567890123</a></div>",
        [
            {
                "id": "1234567890123",
                "handle": "OpenAI",
                "form": "data-attribute",
                "where_attribute": "data-url",
            }
        ],
    ),
    (
        "embed-twitter-class-data-url-with-query",
        '<div class="rse-embed embed-social embed-twitter" '
        'data-url="https://x.com/iam_tatsuki05/status/1824800993856647280?s=20"></div>',
        [{"id": "1824800993856647280", "handle": "iam_tatsuki05"}],
    ),
    (
        "data-embed-type-twitter-data-href",
        '<div class="social-embed-card" data-embed-type="twitter" '
        'data-href="https://twitter.com/jack/status/20"><span>X / Twitter</span></div>',
        [{"id": "20", "where_attribute": "data-href"}],
    ),
    (
        "data-url-status-without-a-twitter-hint-is-not-a-tweet",
        '<div class="card" data-url="https://twitter.com/jack/status/20"></div>'
        '<div class="social-embed" data-provider="youtube" data-url="https://twitter.com/jack/status/20"></div>',
        [],
    ),
    (
        "share-button-data-url-is-not-a-tweet",
        '<a class="twitter-share-button" data-url="https://twitter.com/jack/status/20" '
        'href="https://twitter.com/share">Tweet</a>',
        [],
    ),
    (
        "twitter-wrapper-data-url-not-a-status-is-not-a-tweet",
        '<div class="embed-twitter" data-provider="twitter" data-url="https://twitter.com/jack"></div>',
        [],
    ),
    # iframely: its embed code (an anchor, or a div), and the iframe its script puts in its place.
    (
        "iframely-anchor-api-url",
        '<div class="iframely-embed" style="max-width: 550px;"><div class="iframely-responsive">'
        '<a href="https://twitter.com/Prezly/status/1255868048222945281" data-iframely-url="//cdn.iframe.ly/api/'
        'iframe?url=https%3A%2F%2Ftwitter.com%2FPrezly%2Fstatus%2F1255868048222945281&amp;key=8fe6cdec"></a>'
        '</div></div><script async src="//cdn.iframe.ly/embed.js" charset="utf-8"></script>',
        [
            {
                "id": "1255868048222945281",
                "handle": "Prezly",
                "form": "iframe-proxy",
                "where_attribute": "data-iframely-url",
            }
        ],
    ),
    (
        "iframely-div",
        '<div data-iframely-url="https://cdn.iframe.ly/api/iframe?url=https%3A%2F%2Fx.com%2Fjack%2Fstatus%2F20'
        '&amp;key=k"></div>',
        [{"id": "20", "handle": "jack", "form": "iframe-proxy"}],
    ),
    (
        "iframely-anchor-short-id",
        '<div class="iframely-embed"><div class="iframely-responsive"><a href="https://twitter.com/jack/status/20"'
        ' data-iframely-url="//cdn.iframe.ly/mWiO3U9"></a></div></div>',
        [{"id": "20", "form": "iframe-proxy", "where_attribute": "href"}],
    ),
    (
        "iframely-anchor-empty-attribute",
        '<a data-iframely-url href="https://x.com/jack/status/20?s=20"></a>',
        [{"id": "20", "form": "iframe-proxy"}],
    ),
    (
        "iframely-iframe",
        '<div class="iframely-embed"><div class="iframely-responsive"><iframe src="https://cdn.iframe.ly/api/'
        "iframe?url=https%3A%2F%2Ftwitter.com%2FIndigenousX%2Fstatus%2F1302075712157802497&amp;key=3d79&amp;"
        'app=1" allowfullscreen></iframe></div></div>',
        [{"id": "1302075712157802497", "handle": "IndigenousX", "form": "iframe-proxy"}],
    ),
    (
        "iframely-of-other-sites-is-not-a-tweet",
        '<a href="https://github.com/N-Iwata/start-typescript" data-iframely-url="//cdn.iframe.ly/mWiO3U9"></a>'
        '<a href="https://x.com/petrogustavo" data-iframely-url="//iframely.net/R8qC922W?_timeline=false"></a>'
        '<a href="https://www.facebook.com/x/photos/1" data-iframely-url="//cdn.iframe.ly/api/iframe?url='
        'https%3A%2F%2Fwww.facebook.com%2Fx%2Fphotos%2F1&amp;key=k"></a>',
        [],
    ),
    # Status URLs with the query or fragment percent-encoded: the ID is the digits only.
    (
        "blockquote-status-url-with-encoded-query",
        '<blockquote class="twitter-tweet"><p lang="en">Text</p>&mdash; Jack (@jack) '
        '<a href="https://twitter.com/jack/status/1346889436626259968%3Fs%3D20%26t%3DAbC">January 6, 2021</a>'
        "</blockquote>",
        [{"id": "1346889436626259968", "handle": "jack", "date": dt.date(2021, 1, 6)}],
    ),
    (
        "twitframe-status-url-with-encoded-fragment",
        '<iframe src="https://twitframe.com/show?url=https%3A%2F%2Ftwitter.com%2Fgcoulthard%2Fstatus%2F'
        '1248044370105749504%2523reply"></iframe>',
        [{"id": "1248044370105749504", "handle": "gcoulthard", "form": "iframe-proxy"}],
    ),
    (
        "shortcode-status-url-with-encoded-query",
        "<p>[tweet https://twitter.com/jack/status/1346889436626259968%3Fs%3D20]</p>",
        [{"id": "1346889436626259968", "handle": "jack", "form": "jetpack-shortcode"}],
    ),
]
CASES += ROBUSTNESS_CASES


@pytest.mark.parametrize(("body", "expected"), [(b, e) for _, b, e in CASES], ids=[n for n, _, _ in CASES])
def test_embed_forms(body: str, expected: list[dict[str, Any]]) -> None:
    result = resolver.scan_bytes(page(body), "page.html")
    assert len(result.tweets) == len(expected), [(t.form, t.id) for t in result.tweets]
    for tweet, fields in zip(result.tweets, expected, strict=True):
        for name, value in fields.items():
            if name == "where_attribute":
                assert tweet.where.attribute == value
            else:
                assert getattr(tweet, name) == value, name


def test_links_in_an_embed_belong_to_it_and_use_the_real_href() -> None:
    result = resolver.scan_bytes(page("<p>Intro <a href='https://bit.ly/intro'>x</a></p>" + OEMBED), "p.html")
    by_url = {link.url: link for link in result.links}
    assert by_url["https://bit.ly/intro"].tweet is None
    assert by_url["https://t.co/PXh7c6aziZ"].tweet == 0
    assert by_url["https://t.co/PXh7c6aziZ"].kind is LinkKind.SHORTENED
    # the display text "pic.twitter.com/PXh7c6aziZ" is not a second link
    assert "https://pic.twitter.com/PXh7c6aziZ" not in by_url
    status = by_url["https://twitter.com/mod_russia/status/656808085430472704?ref_src=twsrc%5Etfw"]
    assert status.kind is LinkKind.TWEET and status.tweet == 0 and status.status is not None
    assert status.status.id == "656808085430472704"
    assert status.where.element == "a" and status.where.attribute == "href" and status.where.line == 1


def test_ui_chrome_is_not_a_link() -> None:
    body = next(b for n, b, _ in CASES if n == "timeline-and-buttons-are-not-tweets")
    kinds = {link.url: link.kind for link in resolver.scan_bytes(page(body), "p.html").links}
    assert all("intent" not in url and "adsct" not in url for url in kinds)
    assert kinds.get("https://twitter.com/mod_russia") is LinkKind.TWITTER_PROFILE


@pytest.mark.parametrize(
    "href",
    [
        "https://twitter.com/jack/status/20%3Fs%3D20",
        "https://x.com/jack/status/20%3fref_src%3Dtwsrc%255Etfw",
        "https://twitter.com/jack/status/20%23reply",
    ],
)
def test_a_status_link_with_an_encoded_query_is_a_tweet_link_with_the_digits_as_id(href: str) -> None:
    for body in (f'<p>As <a href="{href}">Jack said</a>.</p>', f"<p>As Jack said: {href}</p>"):
        (link,) = resolver.scan_bytes(page(body), "p.html").links
        assert link.kind is LinkKind.TWEET and link.raw == href
        assert link.status == StatusRef("20", "jack")


def test_relative_links_resolve_against_the_canonical_url() -> None:
    head = "<link rel='canonical' href='https://news.example/2015/10/story.html'>"
    result = resolver.scan_bytes(page("<a href='/about'>about</a> <a href='#top'>top</a>", head), "p.html")
    assert [link.url for link in result.links] == ["https://news.example/about"]


def test_bare_urls_in_html_text_are_found_once() -> None:
    body = "<p>Read bit.ly/abc and <a href='https://ow.ly/x'>https://ow.ly/x</a>.</p><pre>https://t.co/pre1</pre>"
    result = resolver.scan_bytes(page(body), "p.html")
    assert [link.url for link in result.links] == [
        "https://bit.ly/abc",
        "https://ow.ly/x",
        "https://t.co/pre1",
    ]
    assert result.links[0].where.element == "p" and result.links[0].where.attribute is None


# --- Fast paths: each agrees with the simpler code it replaced ----------------------------------

PROSE_ONLY = (
    "not(ancestor::script or ancestor::style or ancestor::textarea or ancestor::template"
    " or ancestor::noscript or ancestor::head or ancestor::title)"
)
#: The XPaths that `_PageNodes.of` and `_may_hold_signature` replaced (slower, and obviously right).
LINK_NODES = etree.XPath(
    "//a[@href] | //area[@href] | //body//text()[contains(., '/') or contains(., 'www.')]"
    f"[not(ancestor::a) and {PROSE_ONLY}]"
)
SHORTCODE_NODES = etree.XPath(f"//body//text()[contains(., '[tweet')][{PROSE_ONLY}]")
AT_NODES = etree.XPath(
    f"//body//text()[contains(., '(@') or contains(., '（@')][{PROSE_ONLY}]"
    " | //body//a[starts-with(normalize-space(.), '@')]"
    "[contains(substring(preceding-sibling::text()[1], string-length(preceding-sibling::text()[1]) - 1), '(')]"
)
EMBED_ATTR_NODES = etree.XPath("//*[@data-tweet-id or @data-tweetid or @data-embed-id or @data-attrs]")
EMBED_CLASS_NODES = etree.XPath(
    "//*[@class][contains(@class,'twitter-') or contains(@class,'wp-block-embed-twitter')"
    " or contains(@class,'is-provider-twitter') or contains(@class,'kg-embed-card')]"
)


def reference_may_hold_signature(doc: etree._Element, embeds: dict[etree._Element, Any]) -> bool:
    for node in AT_NODES(doc):
        owner = node.getparent() if isinstance(node, str) else node
        if owner is None or owner in embeds or any(a in embeds for a in owner.iterancestors()):
            continue
        return True
    return False


NODE_CASES: list[tuple[str, str]] = [
    ("bare-urls", "<p>see bit.ly/x and www.a.example, or t.co/y</p>"),
    ("url-as-anchor-text", "<p><a href='https://t.co/x'>https://t.co/x</a> <a>no href /x</a></p>"),
    ("url-in-a-tail", "<p><b>x</b> http://a.example/y <i>z</i>www.b.example</p>"),
    (
        "not-prose",
        "<script>u='http://a/b (@s)'</script><style>a{b:url(/x)}</style><textarea>t.co/t</textarea>",
    ),
    (
        "noscript-template",
        "<noscript><p>t.co/n (@x) [tweet 1]</p></noscript><template><p>[tweet 2] (@a)</p></template>",
    ),
    ("signature-as-text", "<p>It rained. — Name (@handle) May 1, 2015</p>"),
    ("full-width-paren", "<p>名前（@handle）2015年5月1日</p>"),
    ("signature-link", "<p>— Name (<a href='https://twitter.com/h'>@h</a>) May 1, 2015</p>"),
    ("handle-in-a-span", "<p>— Name ( <a href='x'><span> @h</span></a>)</p>"),
    ("paren-two-back", "<p>— Name (x<a>@h</a></p>"),
    ("paren-three-back", "<p>— Name (xy<a>@h</a></p>"),
    ("paren-before-an-element", "<p>(<b>b</b><a>@h</a></p>"),
    ("paren-before-a-comment", "<p>(<!-- c --><a>@h</a> x(<?pi?>@y</p>"),
    ("paren-in-the-parent", "<p>(<a>@h</a></p>"),
    ("handle-not-first", "<p>(<a>x @h</a> (<a>\n\t@h</a></p>"),
    ("shortcodes", "<p>[tweet https://twitter.com/a/status/1]</p><div>[Tweet 2] x<b>y</b>[tweet 3]</div>"),
    ("oembed", OEMBED + "<p>after (@x)</p>"),
    ("inside-the-embed", OEMBED),
    ("area", "<map><area href='https://bit.ly/m'><area></map>"),
    ("data-attributes", "<div data-tweet-id='1'></div><span data-TweetId='2'></span><p data-embed-id='3'>"),
    ("classes", "<div class='wp-block-embed-twitter'><figure class='kg-embed-card'></figure></div>"),
]


@pytest.mark.parametrize("body", [b for _, b in NODE_CASES], ids=[n for n, _ in NODE_CASES])
def test_page_nodes_and_signature_check_agree_with_the_xpaths(body: str) -> None:
    text = page(body, head="<title>(@t) http://t.co/title</title><a href='/in-head'>x</a>").decode()
    doc = html_detect.parse_html(text)
    nodes = html_detect._PageNodes.of(doc)
    assert nodes.links == LINK_NODES(doc)
    assert nodes.shortcodes == SHORTCODE_NODES(doc)
    embeds = {c.element: c for c in html_detect._find_embeds(doc, None, text)}
    everything = dict.fromkeys(doc.iter())
    for outside in ({}, embeds, everything):
        assert html_detect._may_hold_signature(nodes.at_texts, outside) == reference_may_hold_signature(
            doc, outside
        )
    found = set(html_detect._embed_nodes(doc, text))
    assert set(EMBED_ATTR_NODES(doc)) | set(EMBED_CLASS_NODES(doc)) <= found


SQUASH_CASES = [
    "",
    " ",
    "a",
    " a b ",
    "a  b",
    "a\tb",
    "a\nb",
    "a\xa0b",
    "a\u2028b",
    "a\u3000b",
    "\x1fa",
    "x \u200b y",
]


@pytest.mark.parametrize("text", SQUASH_CASES)
def test_squash_fast_path_agrees_with_the_regex(text: str) -> None:
    assert html_detect._squash(text) == re.sub(r"\s+", " ", text).strip()


def test_fast_link_constructor_makes_the_same_link() -> None:
    where = Where(line=3, element="a", attribute="href")
    ref = StatusRef("20", "jack")
    values = (
        "https://twitter.com/jack/status/20",
        "/jack/status/20",
        LinkKind.TWEET,
        "twitter.com",
        where,
        1,
        "x",
        ref,
    )
    link = html_detect._new_link(*values)
    assert type(link) is Link and link == Link(*values)
    assert pickle.loads(pickle.dumps(link)) == link


@pytest.mark.parametrize(
    "href", ["https://bit.ly/x", "http://a.example/p?q#f", "https://t.co/x  ", "https:/t.co/y"]
)
def test_absolute_hrefs_do_not_depend_on_the_base(href: str) -> None:
    bases = [None, "https://news.example/a/b.html", "http://other.example/", "mailto:x"]
    assert len({html_detect.link_info(href, base) for base in bases}) == 1


def test_a_flattened_tweets_date_link_is_its_link() -> None:
    body = next(b for n, b, _ in CASES if n == "flattened-date-links-to-the-status")
    by_url = {link.url: link for link in resolver.scan_bytes(page(body), "p.html").links}
    assert by_url["https://t.co/abc"].tweet == 0
    assert by_url["https://twitter.com/jane/status/1346889436626259968"].tweet == 0


def test_substack_links_from_the_json_stay_in_the_tweet() -> None:
    """The JSON's URLs are the tweet's links, not the page's (its rendered copy shows the text)."""
    body = next(b for n, b, _ in CASES if n == "substack-html-text-photos-api-date")
    result = resolver.scan_bytes(page(body), "p.html")
    assert [link.url for link in result.links] == [
        "https://twitter.com/notdetails/status/961570492162494464?s=20"
    ]


def test_the_pages_language_names_a_flattened_tweets_date() -> None:
    body = "<p>Il a dit «https://t.co/AbC123xyz»</p><p>— Jean (@jean) 21 oct. 2015</p>"
    data = page(body).replace(b"lang='en'", b"lang='fr'")
    (tweet,) = resolver.scan_bytes(data, "p.html").tweets
    assert (tweet.date, tweet.date_lang) == (dt.date(2015, 10, 21), "fr")


def test_bidi_marks_are_not_part_of_the_date_text() -> None:
    body = (
        '<blockquote class="twitter-tweet" data-lang="ar"><p lang="ar" dir="rtl">نص</p>&mdash; وزارة (@mod_ar) '
        '<a href="https://twitter.com/mod_ar/status/656808085430472704">\u200f٢١ أكتوبر ٢٠١٥</a></blockquote>'
    )
    (tweet,) = resolver.scan_bytes(page(body), "p.html").tweets
    assert (tweet.date_text, tweet.date_lang) == ("٢١ أكتوبر ٢٠١٥", "ar")
