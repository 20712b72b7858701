"""The live session in Teams: which session a meeting is, its real start and end, the attendance register computed
from participants joining and leaving, trainers' corrections, the "attend every date" rule and completion."""
