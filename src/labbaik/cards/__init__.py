"""The smart Hajj card: the signed credential, its printed, contactless and phone forms."""
