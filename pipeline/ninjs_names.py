"""Property names that differ between IPTC ninjs versions: 3.x is camelCase (`versionCreated`), 1.x and
2.x lower case (`versioncreated`), and a few were renamed on the way (1.x `byline`, `subject`,
`infosource`). One table for the reader (`pipeline.formats.ninjs`) and the writer (`pipeline.ninjs_out`).
"""

from __future__ import annotations


class NinjsNames:
    """The names of one ninjs version's properties."""

    def __init__(self, version: int) -> None:
        camel = version >= 3
        self.version_created = "versionCreated" if camel else "versioncreated"
        self.first_created = "firstCreated" if camel else "firstcreated"
        self.pubstatus = "pubStatus" if camel else "pubstatus"
        self.embargoed = "embargoedUntil" if camel else "embargoed"
        self.ednote = "edNote" if camel else "ednote"
        self.copyright = "copyrightHolder" if camel else "copyrightholder"
        self.infosources = "infoSources" if camel else ("infosources" if version == 2 else "infosource")
        self.altids = "altIds" if camel else "altids"
        self.content_type = "contentType" if camel else "contenttype"
        self.char_count = "charCount" if camel else "charcount"
        self.word_count = "wordCount" if camel else "wordcount"
        self.byline = "byline" if version == 1 else "by"
        self.subjects = "subject" if version == 1 else "subjects"
