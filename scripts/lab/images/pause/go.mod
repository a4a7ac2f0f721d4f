module blogapi.local/lab/pause

go 1.22
