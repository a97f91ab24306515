module github.com/webphone/exotelsdk

go 1.26
