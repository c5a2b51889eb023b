# ruff: noqa: E501  (agreement texts are prose: one paragraph a line, as schools paste them)
"""Starting texts for each audience's agreement, drawn from the seed policies; every school edits its own."""

from __future__ import annotations

from .models import Audience

DEFAULT_TITLES = {
    Audience.STAFF: "Staff acceptable use agreement",
    Audience.PUPIL_YOUNGER: "Pupil acceptable use agreement (early years and Key Stage 1)",
    Audience.PUPIL_OLDER: "Pupil acceptable use agreement (Key Stage 2 and above)",
    Audience.PARENT: "Parents' and carers' acceptable use agreement and photo consent",
    Audience.VISITOR: "Visitors' and guests' acceptable use agreement",
    Audience.GOVERNOR: "Governors' acceptable use agreement",
    Audience.SOCIAL_MEDIA: "Official social media acceptable use agreement",
}

DEFAULT_TEXTS = {
    Audience.STAFF: """\
I will use the school's devices, network and systems only for my professional role.
I will keep my passwords private and never let a pupil log on with my account.
I will not store pupils' photographs or personal data on personal devices or removable media; photographs taken on school devices are moved to the secure staff drive and deleted from the device before it leaves the site.
My personal mobile phone is stored securely during working hours and never used in the presence of children, nor to photograph them.
I will report any online-safety concern, any filtering failure and any misuse of technology to the Designated Safeguarding Lead at once.
I understand that my use of school systems is monitored and that misuse may lead to disciplinary action.""",
    Audience.PUPIL_YOUNGER: """\
I only use the computer or tablet when a grown-up says I can.
I only click on things a grown-up has said I can use.
If something on a screen makes me feel worried or upset, I tell a grown-up straight away.
I am kind online, just like I am in the classroom.
I never tell anyone online my name, my address or my school.""",
    Audience.PUPIL_OLDER: """\
I will use the school's computers and the internet for schoolwork only, and only when a teacher allows it.
I will keep my password secret and never use someone else's login.
I will not look at, change or delete other people's files.
I will be polite and kind in everything I send or post, and I will not share pictures of other people without asking them.
I will never arrange to meet someone I have only met online.
If I see something that upsets me, or someone asks me to do something that makes me uncomfortable, I will tell a trusted adult.
I understand that the school checks how I use its computers and the internet.""",
    Audience.PARENT: """\
I have read the school's online safety policy and talked with my child about their acceptable use agreement.
I understand that the school filters and monitors the internet it provides, but that no filtering is perfect.
I will support the school by encouraging my child to use technology safely and kindly at home.
At school events I will only photograph or film my own child, and I will not publish pictures of other children on social media.
I will tell the school if I have any concern about my child's safety online.
My answers to the consent questions below apply until I change them; I can withdraw any consent at any time.""",
    Audience.VISITOR: """\
I will not photograph or film any child while I am in school.
I will use the school's wireless network, if I am given access, only for the purpose of my visit.
I will keep my mobile phone out of sight of children and will not use it in classrooms.
I will not share any personal information about pupils or staff that I learn during my visit.
I will tell the school office or the Designated Safeguarding Lead at once about any concern for a child's safety.""",
    Audience.GOVERNOR: """\
I will use school systems and any school email account only for my role as a governor.
I will keep confidential papers and personal data secure and will not store them on shared or personal devices.
I will not discuss individual pupils or staff outside governing board meetings.
I understand my responsibilities for the school's filtering and monitoring provision under the DfE standards.
I will report any concern about a child's safety to the Designated Safeguarding Lead at once.""",
    Audience.SOCIAL_MEDIA: """\
I will post on the school's official accounts only with the approval the social media policy requires.
I will only publish photographs of pupils whose parents have consented to that use, and never with their full name.
I will not use the official accounts for personal views, and I will keep their passwords secure.
I will report abusive or concerning comments to the Designated Safeguarding Lead and remove them as the policy says.""",
}
